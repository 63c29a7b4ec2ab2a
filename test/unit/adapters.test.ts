/**
 * The Web-standard adapters on every runtime (Node, Bun, Deno): routing between the warrant and the app,
 * and how `defineWorker` builds and caches warrants. The handler here is a stand-in that only says it was
 * reached; the real one is tested over HTTP.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { route as bunRoute } from "../../adapters/bun.ts";
import { defineWorker, type KVNamespaceLike } from "../../adapters/cloudflare.ts";
import { route as denoRoute } from "../../adapters/deno.ts";
import { remoteAddress } from "../../src/http/client-address.ts";
import { createWarrant, type Warrant } from "../../src/mod.ts";

const options = { userPoolId: "eu-west-1_Adapters", clientId: "adapters", secret: "s".repeat(32) };

function withStandInHandler(warrant: Warrant): Warrant {
  return Object.assign(warrant, {
    handler: async (r: Request) => new Response(`warrant ${new URL(r.url).pathname}`),
  });
}

function memoryKV(): KVNamespaceLike {
  const data = new Map<string, string>();
  return {
    get: async (key) => data.get(key) ?? null,
    put: async (key, value) => void data.set(key, value),
    delete: async (key) => void data.delete(key),
    list: async () => ({ keys: [...data.keys()].map((name) => ({ name })), list_complete: true }),
  };
}
const ctx = { waitUntil() {}, passThroughOnException() {} };

describe("adapters", () => {
  for (const [name, route] of [
    ["bun", bunRoute],
    ["deno", denoRoute],
  ] as const) {
    it(`${name} route(): basePath and below to the warrant, everything else to the app with the runtime's extra`, async () => {
      const warrant = withStandInHandler(createWarrant(options));
      const fetch = route(warrant, (_request: Request, extra: string) => new Response(`app ${extra}`));
      const text = async (path: string) => (await fetch(new Request(`http://x${path}`), "extra")).text();
      assert.equal(await text("/accounts"), "warrant /accounts");
      assert.equal(await text("/accounts/login"), "warrant /accounts/login");
      assert.equal(await text("/accountsx"), "app extra");
      assert.equal(await text("/"), "app extra");
    });
  }

  it("defineWorker builds one warrant per env, reused across requests", async () => {
    let built = 0;
    const worker = defineWorker(
      (env: { KV: KVNamespaceLike }) => {
        built++;
        return { ...options, kv: env.KV };
      },
      (_request, { warrant }) => new Response(warrant.config.clientId),
    );
    const a = { KV: memoryKV() };
    const b = { KV: memoryKV() };
    for (const env of [a, a, a, b, b]) {
      assert.equal(await (await worker.fetch(new Request("http://x/"), env, ctx)).text(), "adapters");
    }
    assert.equal(built, 2);
  });

  it("defineWorker resolves a binding name in env and refuses one that is not a KV namespace", async () => {
    const worker = defineWorker(
      (_env: Record<string, unknown>) => ({ ...options, kv: "SESSIONS" }),
      () => new Response("ok"),
    );
    assert.equal(
      await (await worker.fetch(new Request("http://x/"), { SESSIONS: memoryKV() }, ctx)).text(),
      "ok",
    );
    await assert.rejects(
      worker.fetch(new Request("http://x/"), { SESSIONS: "nope" }, ctx),
      /env\.SESSIONS is not one/,
    );
    await assert.rejects(
      worker.fetch(new Request("http://x/"), {}, ctx),
      /options\.kv must be a KV namespace/,
    );
  });
});

describe("adapters hand the warrant the address they saw", () => {
  const seeing = (): Warrant =>
    Object.assign(createWarrant(options), {
      handler: async (r: Request) => new Response(remoteAddress(r) ?? "none"),
    });

  it("bun route(): Bun's server.requestIP", async () => {
    // Only requestIP is read; the rest of Bun's server is not needed here.
    const server = { requestIP: () => ({ address: "192.0.2.10", family: "IPv4", port: 1 }) };
    const fetch = bunRoute<typeof server>(seeing(), () => new Response("app"));
    const res = await fetch(
      new Request("http://x/accounts/login", { headers: { "x-forwarded-for": "6.6.6.6" } }),
      server,
    );
    assert.equal(await res.text(), "192.0.2.10");
  });

  it("deno route(): Deno's info.remoteAddr", async () => {
    const fetch = denoRoute(seeing(), () => new Response("app"));
    const info = { remoteAddr: { transport: "tcp", hostname: "192.0.2.11", port: 1 } };
    assert.equal(await (await fetch(new Request("http://x/accounts/login"), info)).text(), "192.0.2.11");
  });

  it("defineWorker: CF-Connecting-IP, which Cloudflare sets", async () => {
    const worker = defineWorker(() => ({ ...options, kv: memoryKV() }));
    const request = new Request("http://x/accounts/session", {
      headers: { "cf-connecting-ip": "192.0.2.12" },
    });
    const response = await worker.fetch(request, {}, ctx);
    await response.arrayBuffer();
    assert.equal(remoteAddress(request), "192.0.2.12");
  });
});
