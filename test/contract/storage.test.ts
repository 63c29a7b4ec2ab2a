/**
 * The storage contract against the drivers that run in Node, Bun and Deno alike: unstorage memory, fs
 * (a temp folder) and Redis (the real redis-server at REDIS_URL, under a key prefix of its own that is
 * removed afterwards). Cloudflare KV runs in workerd (cloudflare-kv.workerd.test.ts), Deno KV in Deno
 * (deno-kv.deno.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createStorage } from "unstorage";
import fsDriver from "unstorage/drivers/fs";
import memoryDriver from "unstorage/drivers/memory";
import redisDriver from "unstorage/drivers/redis";
import { memoryStorage } from "../../src/memory.ts";
import { freePort } from "../support/cognito-local.ts";
import { REDIS_URL } from "../support/setup.ts";
import { storageContract } from "./suite.ts";

storageContract({
  name: "memory",
  open: () => ({ storage: createStorage({ driver: memoryDriver() }), cleanup: async () => {} }),
});

storageContract({
  name: "warrant-memory (the default store)",
  ownClock: true,
  open: () => ({ storage: memoryStorage(), cleanup: async () => {} }),
});

storageContract({
  name: "fs",
  open() {
    const dir = mkdtempSync(join(tmpdir(), "warrant-contract-fs-"));
    return {
      storage: createStorage({ driver: fsDriver({ base: dir }) }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  broken() {
    // A base folder that cannot exist: its parent is a file.
    const dir = mkdtempSync(join(tmpdir(), "warrant-contract-fs-"));
    writeFileSync(join(dir, "file"), "");
    return {
      storage: createStorage({ driver: fsDriver({ base: join(dir, "file", "store") }) }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});

storageContract({
  name: "redis",
  reportsTtl: true,
  open() {
    const base = `warrant-contract:${crypto.randomUUID()}`;
    const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
    const redis = new Redis(REDIS_URL);
    return {
      storage,
      async ttl(key) {
        const seconds = await redis.ttl(`${base}:${key}`);
        return seconds < 0 ? null : seconds;
      },
      async cleanup() {
        await storage.clear();
        await storage.dispose();
        // Nothing of ours may be left behind in a shared Redis.
        const left = await redis.keys(`${base}:*`);
        await redis.quit();
        if (left.length) throw new Error(`redis keys left behind: ${left.length}`);
      },
    };
  },
  async broken() {
    // A loopback port nobody listens on; no retries so the failure is immediate.
    const port = await freePort();
    const storage = createStorage({
      driver: redisDriver({
        url: `redis://127.0.0.1:${port}`,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      }),
    });
    return { storage, cleanup: () => storage.dispose().catch(() => {}) };
  },
});
