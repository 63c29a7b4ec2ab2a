/**
 * The documented Bun examples type-check under strict tsc with bun-types, as a user's project would:
 * the README's `route()` block (```ts title=bun-route.ts) and the @example blocks of adapters/bun.ts
 * (the module's, then the fragments that use its `warrant`). Imports of the package are
 * pointed at this repository's sources.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { readmeBlock } from "../support/readme.ts";
import { typecheckFiles } from "../support/tsc.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const out = join(root, `test-output/bun-types-${process.pid}`);

const rewrite = (code: string) =>
  code
    .replace(/"@warrant\/cognito"/g, JSON.stringify(join(root, "src/mod.ts")))
    .replace(/"@warrant\/cognito\/adapters\/(\w+)"/g, (_all, name: string) =>
      JSON.stringify(join(root, `adapters/${name}.ts`)),
    );

/** The ```ts blocks of the JSDoc @examples in a source file, comment stars stripped. */
function jsdocExamples(file: string): string[] {
  const source = readFileSync(join(root, file), "utf8");
  return [...source.matchAll(/@example\n\s*\* ```ts\n([\s\S]*?)\n\s*\* ```/g)].map((m) =>
    m[1]!.replace(/^\s*\* ?/gm, ""),
  );
}

/** tsc's errors, one a line (none: ""). */
function typecheck(files: Record<string, string>): string {
  mkdirSync(out, { recursive: true });
  for (const [name, code] of Object.entries(files))
    writeFileSync(join(out, name), `${rewrite(code)}\nexport {};\n`);
  return typecheckFiles(out, Object.keys(files), {
    typeRoots: [join(root, "node_modules")],
    types: ["bun-types"],
  }).output;
}

describe("Bun's documented examples", () => {
  after(() => rmSync(out, { recursive: true, force: true }));

  it("the README's route() block and adapters/bun.ts's @examples type-check under strict tsc and bun-types; a wrong use does not", () => {
    // The module's example first: the others are fragments that use its `warrant`.
    const [moduleExample, ...fragments] = jsdocExamples("adapters/bun.ts");
    assert.ok(moduleExample, "adapters/bun.ts has a module example");
    assert.match(moduleExample, /route\(warrant,/);
    assert.ok(
      fragments.some((f) => /route\(warrant,/.test(f)),
      "route() has its own example",
    );
    const errors = typecheck({
      "readme-route.ts": readmeBlock("bun-route.ts"),
      "module-example.ts": [
        'import type { BunServer } from "@warrant/cognito/adapters/bun";',
        moduleExample,
        ...fragments,
      ].join("\n"),
      // The check can fail: Bun's server has no such method.
      "wrong.ts": [
        'import { route } from "@warrant/cognito/adapters/bun";',
        'import { createWarrant } from "@warrant/cognito";',
        'const warrant = createWarrant({ userPoolId: "eu-west-1_X", clientId: "x", secret: "x".repeat(32) });',
        "Bun.serve({ fetch: route(warrant, (request, server) => new Response(server.notAMethod(request))) });",
      ].join("\n"),
    }).split("\n");
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0]!, /^\S*wrong\.ts\(4,\d+\): error TS2339: Property 'notAMethod' does not exist/);
  });
});
