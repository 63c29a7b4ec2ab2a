/**
 * package.json (npm), deno.json (Deno and JSR through deno publish) and jsr.json (npx jsr publish) must
 * describe the same package: one name, one version, the same subpaths listed by name, each pointing at
 * the same source. Hono's build/validate-exports.ts does this for its two maps.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";

const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), "utf8"));
const pkg = read("package.json");
const deno = read("deno.json");
const jsr = read("jsr.json");

/** npm-only subpaths: package.json is there for tools that read it, not a module. */
const npmOnly = new Set(["./package.json"]);
const npmSubpaths = Object.keys(pkg.exports).filter((k) => !npmOnly.has(k));

describe("manifests", () => {
  it("agree on name and version", () => {
    assert.equal(pkg.name, "@warrant/cognito");
    assert.deepEqual([deno.name, deno.version], [pkg.name, pkg.version]);
    assert.deepEqual([jsr.name, jsr.version], [pkg.name, pkg.version]);
    assert.equal(deno.license, pkg.license);
    assert.equal(jsr.license, pkg.license);
  });

  it("list the same subpaths by name, with no wildcard", () => {
    for (const [file, keys] of [
      ["package.json", Object.keys(pkg.exports)],
      ["deno.json", Object.keys(deno.exports)],
      ["jsr.json", Object.keys(jsr.exports)],
    ] as const) {
      assert.ok(
        keys.every((k) => !k.includes("*")),
        `${file} exports a wildcard: ${keys.filter((k) => k.includes("*"))}`,
      );
    }
    assert.deepEqual(Object.keys(deno.exports).sort(), npmSubpaths.sort());
    assert.deepEqual(Object.keys(jsr.exports).sort(), npmSubpaths.sort());
    for (const required of [
      ".",
      "./passkeys",
      "./adapters/node",
      "./adapters/bun",
      "./adapters/deno",
      "./adapters/cloudflare",
      "./api-gateway",
    ]) {
      assert.ok(npmSubpaths.includes(required), `package.json exports lacks ${required}`);
    }
  });

  it("point each subpath at the same source: .ts for JSR, its build in dist/ for npm", () => {
    for (const key of npmSubpaths) {
      const source: string = deno.exports[key];
      assert.equal(jsr.exports[key], source, `jsr.json and deno.json disagree on ${key}`);
      assert.match(source, /^\.\/(src|adapters)\/.+\.ts$/);
      const built = source.replace(/^\.\//, "./dist/").replace(/\.ts$/, "");
      assert.deepEqual(
        pkg.exports[key],
        // `node` (Node, Bun and Deno match it): the bundled build, a few files instead of one per module
        // (scripts/build.ts). `default` too: require() of the ESM build matches no `import` condition.
        {
          types: `${built}.d.ts`,
          node: built.replace(/^\.\/dist\//, "./dist/node/") + ".js",
          import: `${built}.js`,
          default: `${built}.js`,
        },
        `package.json exports[${JSON.stringify(key)}] is not the build of ${source}`,
      );
    }
  });

  it("give every source an existing file", () => {
    const missing = npmSubpaths
      .map((k) => deno.exports[k] as string)
      .filter((source) => !existsSync(new URL(`../../${source}`, import.meta.url)));
    assert.deepEqual(missing, []);
  });

  it("pin the same dependency ranges for Deno as for npm", () => {
    const imports: Record<string, string> = deno.imports;
    for (const [name, range] of Object.entries(pkg.dependencies as Record<string, string>)) {
      assert.equal(imports[name], `npm:${name}@${range}`, `deno.json imports["${name}"]`);
    }
    // Optional peers (hono, for adapters/hono.ts) are mapped too, with their peer range.
    const peers: Record<string, string> = pkg.peerDependencies ?? {};
    for (const [name, range] of Object.entries(peers)) {
      assert.equal(imports[name], `npm:${name}@${range}`, `deno.json imports["${name}"]`);
    }
    for (const [specifier, target] of Object.entries(imports)) {
      const name = specifier.replace(/\/$/, "");
      const range = pkg.dependencies[name] ?? peers[name];
      assert.ok(range, `deno.json imports ${specifier}, which package.json does not depend on`);
      if (specifier.endsWith("/")) assert.equal(target, `npm:/${name}@${range}/`);
    }
  });
});
