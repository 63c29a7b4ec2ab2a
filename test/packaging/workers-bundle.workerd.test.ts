/**
 * The Workers adapter as a user's bundle: esbuild (what wrangler uses) over a Worker written with
 * `defineWorker`, checked for `node:` imports and run in workerd *without* `nodejs_compat`, with users and
 * sessions in a KV namespace.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";

describe("Workers bundle (workerd without nodejs_compat)", () => {
  let mf: Miniflare;
  let inputs: string[];
  before(async () => {
    const bundle = await bundleForWorkers(
      fileURLToPath(new URL("./workers-bundle.worker.ts", import.meta.url)),
    );
    inputs = Object.values(bundle.metafile!.inputs).flatMap((i) => i.imports.map((x) => x.path));
    mf = new Miniflare({
      modules: true,
      compatibilityDate: "2025-01-01",
      kvNamespaces: ["SESSIONS"],
      bindings: {
        USER_POOL_ID: "eu-west-1_Bundle",
        CLIENT_ID: "bundle",
        SECRET: "bundle-secret-0123456789-abcdefghijklmn",
      },
      script: bundle.outputFiles[0]!.text,
    });
  });
  after(() => mf?.dispose());

  it("imports nothing from node:", () => {
    assert.deepEqual(
      inputs.filter((p) => p.startsWith("node:")),
      [],
    );
  });

  it("builds the warrant once per isolate and keeps users in the KV namespace", async () => {
    const first = (await (await mf.dispatchFetch("http://worker/app/user?name=ada")).json()) as any;
    const second = (await (await mf.dispatchFetch("http://worker/app/user?name=ada")).json()) as any;
    assert.equal(first.user.username, "ada");
    assert.equal(second.user.createdAt, first.user.createdAt);
    assert.equal(second.configured, 1);
    // miniflare types the namespace with its own copy of the Workers types; only get() is needed.
    const kv = (await mf.getKVNamespace("SESSIONS")) as unknown as {
      get(key: string): Promise<string | null>;
    };
    assert.ok(await kv.get("users:ada"), "users:ada is not in the KV namespace");
  });

  it("sends requests under basePath to the warrant's handler", async () => {
    const response = await mf.dispatchFetch("http://worker/accounts/session");
    // An anonymous /session is 401.
    assert.equal(response.status, 401);
    await response.arrayBuffer();
  });
});
