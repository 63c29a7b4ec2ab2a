/**
 * docs/*.md: every ```ts block type-checks under strict tsc against the library's sources (imports of
 * `@warrant/cognito` pointed at src/), so a renamed option or result field fails here, not in a
 * reader's editor. A block that imports nothing gets `warrant` and `request` declared for it.
 */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { typecheckFiles } from "../support/tsc.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, `test-output/docs-${process.pid}`);
const preamble = `import type { Warrant } from "${join(root, "src/mod.ts")}";
declare const warrant: Warrant;
declare const request: Request;
`;

const rewrite = (code: string) =>
  code
    .replace(/"@warrant\/cognito"/g, JSON.stringify(join(root, "src/mod.ts")))
    .replace(/"@warrant\/cognito\/([\w-]+)"/g, (_all, sub: string) => {
      const exports = JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).exports as Record<
        string,
        string
      >;
      return JSON.stringify(join(root, exports[`./${sub}`]!));
    });

describe("docs/", () => {
  after(() => rmSync(out, { recursive: true, force: true }));

  it("every ts block of docs/*.md type-checks under strict tsc", () => {
    mkdirSync(out, { recursive: true });
    const files: string[] = [];
    for (const doc of readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"))) {
      const text = readFileSync(join(root, "docs", doc), "utf8");
      [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].forEach((m, i) => {
        const code = m[1]!;
        const file = `${doc.replace(/\.md$/, "")}-${i + 1}.ts`;
        writeFileSync(
          join(out, file),
          `${/^import /m.test(code) ? "" : preamble}${rewrite(code)}\nexport {};\n`,
        );
        files.push(file);
      });
    }
    assert.ok(files.length >= 5, `only ${files.length} blocks found`);
    const tsc = typecheckFiles(out, files, { lib: ["es2022", "dom", "dom.iterable"], types: [] });
    assert.ok(tsc.ok, tsc.output);
  });
});
