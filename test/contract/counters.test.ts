/**
 * The counter contract on the backends that run in Node, Bun and Deno alike: memory, and Redis (the
 * real redis-server at REDIS_URL, under a key prefix of its own that is removed afterwards).
 */
import { Redis } from "ioredis";
import { memoryCounters, redisCounters } from "../../src/counters.ts";
import { REDIS_URL } from "../support/setup.ts";
import { countersContract } from "./counters-suite.ts";

const memory = memoryCounters();
// Memory drops ended counters as new ones come (its bound is in test/unit/rate-limit.test.ts).
countersContract({ name: "memory", open: () => memory });

const prefix = `warrant-test-counters:${Math.random().toString(36).slice(2, 8)}`;
const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
const keys = () => client.keys(`${prefix}:*`);
countersContract({
  name: "redis",
  async open() {
    if (client.status === "wait") await client.connect();
    return redisCounters(client, prefix);
  },
  // Redis expires each counter itself (PEXPIRE in the same script as INCR).
  held: async () => (await keys()).length,
  async cleanup() {
    const left = await keys();
    if (left.length) await client.del(...left);
    await client.quit();
  },
});
