/**
 * @module
 * The storage contract inside workerd over a KV namespace binding, through the Workers adapter's
 * `kvStorage`. Bundled by cloudflare-kv.workerd.test.ts with `node:test` replaced by ./workerd-test.ts; it answers
 * with one result per test.
 */
import { test } from "node:test";
import { type KVNamespaceLike, kvStorage } from "../../adapters/cloudflare.ts";
import { storageContract } from "./suite.ts";
import { type Result, run } from "./workerd-test.ts";

interface Env {
  // The listing's shape first, so the intersection's list() returns it.
  KV: {
    list(options: { prefix: string }): Promise<{ keys: { name: string; expiration?: number }[] }>;
  } & KVNamespaceLike;
}

let env: Env | undefined;
// Set per run: workerd allows no randomness at global scope.
let prefix = "";

storageContract({
  name: "cloudflare-kv-binding",
  reportsTtl: true,
  open: () => ({
    storage: kvStorage(env!.KV, prefix),
    async ttl(key) {
      // KV reports expiry only through list(): an absolute time in seconds.
      const { keys } = await env!.KV.list({ prefix: `${prefix}:${key}` });
      const entry = keys.find((k) => k.name === `${prefix}:${key}`);
      return entry?.expiration ? entry.expiration - Math.floor(Date.now() / 1000) : null;
    },
    async cleanup() {
      const storage = kvStorage(env!.KV, prefix);
      await storage.clear();
    },
  }),
  // A Worker whose KV binding is not there: the adapter is handed `undefined`.
  broken: () => ({ storage: kvStorage(undefined as never), cleanup: async () => {} }),
});

// Registered after the contract so it runs last: nothing of the suite's is left in the namespace.
test("leaves nothing behind in the namespace", async () => {
  const { keys } = await env!.KV.list({ prefix });
  if (keys.length) throw new Error(`${keys.length} keys left behind`);
});

export default {
  async fetch(_request: Request, bindings: Env): Promise<Response> {
    env = bindings;
    prefix = `contract-${crypto.randomUUID()}`;
    const results: Result[] = await run();
    return Response.json(results);
  },
};
