/**
 * The counter contract inside Deno over Deno KV (a database file in a temp folder), through the Deno
 * adapter's `denoKvCounters`. Deno only: `deno test --unstable-kv` (test/run.ts runs it).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { denoKvCounters } from "../../adapters/deno.ts";
import { countersContract } from "./counters-suite.ts";

declare const Deno: {
  makeTempDir(options?: { prefix?: string }): Promise<string>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  openKv(path?: string): Promise<{
    list(selector: { prefix: unknown[] }): AsyncIterable<{ key: unknown[]; value: unknown }>;
    close(): void;
  }>;
};

const dir = await Deno.makeTempDir({ prefix: "warrant-contract-counters-" });
const path = `${dir}/counters.kv`;
const kv = await Deno.openKv(path);
const counters = denoKvCounters({ openKv: async () => kv as never, prefix: "warrant-counters" });

// Two instances on one database: each queues its own hits, the checked write decides between them.
// (One handle for both: two handles on one local SQLite file in one process answer "database is locked"
// under contention; on Deno Deploy every instance has its own connection to one database.)
test("deno-kv counters: two instances count 100 concurrent hits atomically", async () => {
  const second = denoKvCounters({ openKv: async () => kv as never, prefix: "warrant-counters" });
  const key = `two-instances:${Date.now()}`;
  const hits = await Promise.all(
    Array.from({ length: 100 }, (_, i) => (i % 2 ? counters : second).hit(key, 60_000)),
  );
  assert.deepEqual(
    hits.map((h) => h.count).sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  await counters.reset(key);
});

countersContract({
  name: "deno-kv",
  open: () => counters,
  // Deno KV deletes expired keys lazily: count the ones whose window is still open, as reads do.
  async held() {
    let live = 0;
    for await (const entry of kv.list({ prefix: ["warrant-counters"] }))
      if ((entry.value as { resetAt: number }).resetAt > Date.now()) live++;
    return live;
  },
  async cleanup() {
    kv.close();
    await Deno.remove(dir, { recursive: true });
  },
});
