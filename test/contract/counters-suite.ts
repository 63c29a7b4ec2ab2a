/**
 * @module
 * The counter contract: what rate limits and challenge attempts need from a counter backend, run on
 * every backend (memory and Redis in counters.test.ts, Deno KV in counters-deno-kv.deno.ts, Durable
 * Objects in workerd in counters.workerd.test.ts).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { Counters } from "../../src/counters.ts";

export interface CountersTarget {
  name: string;
  open(): Counters | Promise<Counters>;
  /** How many counters the backend holds now, where it can tell (the bound on ended windows). */
  held?(): Promise<number>;
  cleanup?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function countersContract(target: CountersTarget): void {
  describe(`counters: ${target.name}`, () => {
    let run = 0;
    const key = (label: string) => `contract:${Date.now().toString(36)}:${++run}:${label}`;
    after(async () => {
      await target.cleanup?.();
    });

    it("counts from 1 within a window that starts at the first hit", async () => {
      const counters = await target.open();
      const k = key("first");
      const before = Date.now();
      const first = await counters.hit(k, 60_000);
      assert.equal(first.count, 1);
      assert.ok(first.resetAt >= before + 59_000 && first.resetAt <= Date.now() + 61_000, "resetAt");
      const second = await counters.hit(k, 60_000);
      assert.equal(second.count, 2);
      assert.ok(Math.abs(second.resetAt - first.resetAt) < 1000, "the window does not move");
      await counters.reset(k);
    });

    it("counts 200 concurrent hits atomically: each sees its own count", async () => {
      const counters = await target.open();
      const k = key("burst");
      const hits = await Promise.all(Array.from({ length: 200 }, () => counters.hit(k, 60_000)));
      const counts = hits.map((h) => h.count).sort((x, y) => x - y);
      assert.deepEqual(
        counts,
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      await counters.reset(k);
    });

    it("takes one back on release, never below zero and never as a new counter; reset forgets", async () => {
      const counters = await target.open();
      const k = key("release");
      await counters.hit(k, 60_000);
      await counters.hit(k, 60_000);
      await counters.release(k);
      assert.equal((await counters.hit(k, 60_000)).count, 2);
      await counters.release(k);
      await counters.release(k);
      await counters.release(k);
      assert.equal((await counters.hit(k, 60_000)).count, 1);
      await counters.reset(k);
      assert.equal((await counters.hit(k, 60_000)).count, 1);
      const none = key("never");
      await counters.release(none);
      assert.equal((await counters.hit(none, 60_000)).count, 1);
      await counters.reset(k);
      await counters.reset(none);
    });

    it("starts again when the window ends, and holds nothing for an ended window", async () => {
      const counters = await target.open();
      const k = key("window");
      const heldBefore = await target.held?.();
      await counters.hit(k, 400);
      await counters.hit(k, 400);
      await sleep(700);
      assert.equal((await counters.hit(k, 400)).count, 1);
      if (target.held && heldBefore !== undefined) {
        await sleep(700);
        assert.equal(await target.held(), heldBefore, "the ended counter is gone");
      }
    });
  });
}
