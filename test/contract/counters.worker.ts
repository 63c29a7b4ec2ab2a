/**
 * @module
 * The counter contract inside workerd over a real Durable Object namespace bound to the Workers
 * adapter's `WarrantCounters`, through `durableObjectCounters`. Bundled by counters.workerd.test.ts
 * with `node:test` replaced by ./workerd-test.ts; it answers with one result per test.
 */
import { test } from "node:test";
import { type DurableObjectNamespaceLike, durableObjectCounters } from "../../adapters/cloudflare.ts";
import { countersContract } from "./counters-suite.ts";
import { type Result, run } from "./workerd-test.ts";

export { WarrantCounters } from "../../adapters/cloudflare.ts";

interface Env {
  COUNTERS: DurableObjectNamespaceLike;
}

let env: Env | undefined;
// Set per run: workerd allows no randomness at global scope.
let prefix = "";

countersContract({ name: "durable-object", open: () => durableObjectCounters(env!.COUNTERS, prefix) });

// Two isolates' worth of clients on one namespace: the object, not the client, serialises the hits.
test("durable-object counters: two clients count 100 concurrent hits atomically", async () => {
  const a = durableObjectCounters(env!.COUNTERS, prefix);
  const b = durableObjectCounters(env!.COUNTERS, prefix);
  const hits = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).hit("two", 60_000)));
  const counts = hits.map((h) => h.count).sort((x, y) => x - y);
  if (counts.some((c, i) => c !== i + 1)) throw new Error(`counts ${counts.join(",")}`);
});

export default {
  async fetch(_request: Request, bindings: Env): Promise<Response> {
    env = bindings;
    prefix = `contract-${crypto.randomUUID()}`;
    const results: Result[] = await run();
    return Response.json(results);
  },
};
