/**
 * The package as npm and JSR users get it: build, pack contents, publint, attw and `deno publish
 * --dry-run`, each step of scripts/check-package.ts as a test, on a clean copy of what publishes.
 */
import { after, before, describe, it } from "node:test";
import { checks, copyPackage, type PackageCopy } from "../../scripts/check-package.ts";

describe("package", () => {
  let copy: PackageCopy;
  before(() => {
    copy = copyPackage();
  });
  after(() => copy?.remove());
  // In order: each later check reads what the build wrote.
  for (const check of checks) it(check.name, () => check.run(copy.dir));
});
