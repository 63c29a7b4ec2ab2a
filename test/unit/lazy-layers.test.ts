/**
 * The Cognito layer and the bearer verifier load on first use, and a Worker bundle still tree-shakes
 * the AWS SDK: `src/cognito/sdk.ts` is the only module that imports the SDK's values, and bundlers get
 * `sdk.browser.ts` (the same names from the files that define them) through package.json's `browser`
 * map. These tests pin that shape; the bytes are checked by `npm run size`.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const sdk = "@aws-sdk/client-cognito-identity-provider";

/** The names a module re-exports with `export { a, b } from "…"`, each with where it comes from. */
function reExports(source: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const [, list, from] of source.matchAll(/export\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const name of list!
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean))
      names.set(name, from!);
  }
  return names;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => `${entry.parentPath.slice(fileURLToPath(root).length)}/${entry.name}`);
}

describe("lazy Cognito layer", () => {
  it("sdk.browser.ts exports what sdk.ts exports, each from the SDK file named after it", () => {
    const plain = reExports(read("src/cognito/sdk.ts"));
    const browser = reExports(read("src/cognito/sdk.browser.ts"));
    assert.ok(plain.size > 0);
    assert.deepEqual([...browser.keys()].sort(), [...plain.keys()].sort());
    for (const [name, from] of plain) assert.equal(from, sdk, `${name} comes from the SDK's root`);
    for (const [name, from] of browser) {
      const file = name.endsWith("Command") ? `commands/${name}.js` : `${name}.js`;
      assert.equal(from, `${sdk}/dist-es/${file}`);
    }
  });

  it("package.json sends bundlers to sdk.browser.ts and route-groups.browser.ts, in src/ and in dist/", () => {
    const pkg = JSON.parse(read("package.json"));
    assert.deepEqual(pkg.browser, {
      "./src/cognito/sdk.ts": "./src/cognito/sdk.browser.ts",
      "./dist/src/cognito/sdk.js": "./dist/src/cognito/sdk.browser.js",
      "./src/http/route-groups.ts": "./src/http/route-groups.browser.ts",
      "./dist/src/http/route-groups.js": "./dist/src/http/route-groups.browser.js",
    });
  });

  it("no other module imports the Cognito SDK's values (type imports are erased)", () => {
    const offenders = [...sourceFiles("src"), ...sourceFiles("adapters")].filter((file) => {
      if (file === "src/cognito/sdk.ts" || file === "src/cognito/sdk.browser.ts") return false;
      const text = read(file);
      return [
        ...text.matchAll(/import\s+(type\s+)?[^;]*?from\s*"@aws-sdk\/client-cognito-identity-provider"/g),
      ].some((m) => !m[1]);
    });
    assert.deepEqual(offenders, []);
  });

  it("no entry point reaches the SDK, the Cognito calls or aws-jwt-verify at load time", () => {
    // The modules each module loads when it is evaluated: value imports and re-exports, relative ones
    // resolved; `import type` / `export type` are erased. (`import { type A }` still loads its module.)
    const loads = (file: string): string[] =>
      [...read(file).matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\s)([^;]*?)\s*from\s*"([^"]+)"/g)].map(
        ([, , spec]) =>
          spec!.startsWith(".")
            ? fileURLToPath(new URL(spec!, new URL(file, root))).slice(fileURLToPath(root).length)
            : spec!,
      );
    const lazy = /^(src\/cognito\/(sdk|api|verify)\.ts|@aws-sdk\/|aws-jwt-verify)/;
    for (const entry of ["src/mod.ts", "src/reader.ts", ...sourceFiles("adapters")]) {
      const via = new Map<string, string>([[entry, ""]]);
      const queue = [entry];
      while (queue.length) {
        const file = queue.shift()!;
        for (const dep of file.endsWith(".ts") ? loads(file) : []) {
          if (via.has(dep)) continue;
          via.set(dep, file);
          if (lazy.test(dep)) {
            const chain = [dep];
            for (let at = file; at; at = via.get(at)!) chain.unshift(at);
            assert.fail(`${entry} loads ${dep} at once: ${chain.join(" → ")}`);
          }
          queue.push(dep);
        }
      }
    }
  });

  it("a Worker bundle keeps only the commands the library sends", async () => {
    const bundle = await bundleForWorkers(fileURLToPath(new URL("examples/worker.ts", root)));
    const commands = Object.keys(bundle.metafile.inputs)
      .map((path) => /dist-es\/commands\/(\w+)\.js$/.exec(path)?.[1])
      .filter(Boolean)
      .sort();
    assert.deepEqual(
      commands,
      [...reExports(read("src/cognito/sdk.ts")).keys()].filter((n) => n.endsWith("Command")).sort(),
    );
  });
});
