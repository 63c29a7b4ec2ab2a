/**
 * The README's tables that mirror code: they must say what the code does (a doc that drifts is a defect).
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { apiErrorCodes } from "../../src/mod.ts";

const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const section = (title: string) => {
  const start = readme.indexOf(`\n${title}\n`);
  assert.ok(start >= 0, `README has no section ${title}`);
  const rest = readme.slice(start + title.length + 2);
  const end = rest.search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end);
};

describe("README", () => {
  it("lists every JSON error code with its status, and no other", () => {
    const rows = [...section("### JSON errors").matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]);
    assert.deepEqual(Object.fromEntries(rows), { ...apiErrorCodes });
  });

  it("names the Workers KV binding and variables of examples/wrangler.toml", () => {
    const toml = readFileSync(new URL("examples/wrangler.toml", root), "utf8");
    const binding = /\[\[kv_namespaces\]\]\s*binding\s*=\s*"(\w+)"/.exec(toml)?.[1];
    assert.ok(binding, "examples/wrangler.toml declares a KV binding");
    const workers = readme.slice(readme.indexOf("**Cloudflare Workers**"), readme.indexOf("## Frameworks"));
    assert.match(workers, new RegExp(`interface Env \\{ ${binding}: KVNamespace;`));
    assert.match(workers, new RegExp(`kv: env\\.${binding},`));
    for (const name of ["COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID"]) {
      assert.match(toml, new RegExp(`^${name} = `, "m"));
      assert.match(workers, new RegExp(`env\\.${name}\\b`));
    }
    const prose = /`start:workers` serves[\s\S]*?\(a `(\w+)` KV binding/.exec(readme)?.[1];
    assert.equal(prose, binding);
  });

  it("names only files that exist in its map of src/", () => {
    let checked = 0;
    for (const row of section("## Where things live").split("\n")) {
      // `src/x/a.ts` (or `src/x/`), then `b.ts` in the same row means `src/x/b.ts`.
      let folder = "";
      for (const match of row.matchAll(/`((?:src\/)?[\w/.-]*(?:\.ts|\/))`/g)) {
        const name = match[1]!;
        const path = name.startsWith("src/") ? name : `${folder}${name}`;
        if (name.startsWith("src/")) folder = name.slice(0, name.lastIndexOf("/") + 1);
        assert.ok(existsSync(new URL(path, root)), `${path} is named in the README but does not exist`);
        checked++;
      }
    }
    assert.ok(checked > 20, `only ${checked} files checked`);
  });
});
