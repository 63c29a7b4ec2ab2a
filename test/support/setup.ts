/**
 * @module
 * One place to build what a test needs: a pool in the run's cognito-local behind a front, a warrant
 * pointed at it, a controllable clock, and stores for each unstorage driver.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStorage, type Storage } from "unstorage";
import fsDriver from "unstorage/drivers/fs";
import memoryDriver from "unstorage/drivers/memory";
import redisDriver from "unstorage/drivers/redis";
import { createWarrant, type WarrantOptions } from "../../src/mod.ts";
import { type CognitoFront, startCognitoFront } from "./cognito-front.ts";
import { createTestPool, type TestPool, type TestPoolOptions } from "./cognito-local.ts";

/**
 * A JWT's header and payload (base64url JSON starts with "eyJ"). The bare three letters can occur by
 * chance inside random ciphertext, so tests look for the whole shape.
 */
export const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/;

export const SECRET = "test-secret-0123456789-abcdefghijklmnop";
export const PASSWORD = "Corr3ct-Horse!";

/** A clock tests move by hand. */
export function fakeClock(start = Date.now()) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

let counter = 0;
/** A unique email for a test user. */
export const email = (label = "user") =>
  `${label}-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 7)}@example.com`;

export interface Env {
  pool: TestPool;
  front: CognitoFront;
  close(): Promise<void>;
}

/** A fresh pool in the run's cognito-local, behind a front that enforces SECRET_HASH. */
export async function createEnv(options: TestPoolOptions = {}): Promise<Env> {
  const pool = await createTestPool(undefined, options);
  const front = await startCognitoFront(pool.endpoint);
  front.addClientSecret(pool.secretClientId, pool.clientSecret);
  return { pool, front, close: () => front.close() };
}

/** A warrant against the env's front (USER_PASSWORD_AUTH unless said otherwise). */
export function warrantFor(env: Env, options: Partial<WarrantOptions> = {}) {
  return createWarrant({
    userPoolId: env.pool.userPoolId,
    clientId: env.pool.clientId,
    endpoint: env.front.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    authFlow: "USER_PASSWORD_AUTH",
    secret: SECRET,
    ...options,
  });
}

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A named unstorage store, with its cleanup. */
export interface NamedStore {
  name: string;
  storage: Storage;
  cleanup(): Promise<void>;
}

/** Stores for the drivers that run in Node: memory, fs (temp folder), redis (own prefix). */
export function nodeStores(): (() => NamedStore)[] {
  return [
    () => ({ name: "memory", storage: createStorage({ driver: memoryDriver() }), cleanup: async () => {} }),
    () => {
      const dir = mkdtempSync(join(tmpdir(), "warrant-fs-"));
      return {
        name: "fs",
        storage: createStorage({ driver: fsDriver({ base: dir }) }),
        cleanup: async () => rmSync(dir, { recursive: true, force: true }),
      };
    },
    () => {
      const base = `warrant-test:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
      const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
      return {
        name: "redis",
        storage,
        cleanup: async () => {
          await storage.clear();
          await storage.dispose();
        },
      };
    },
  ];
}

/** Every key and raw value in a store, for tests that look for what must not be there. */
export async function dump(storage: Storage): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const key of await storage.getKeys()) {
    // On a driver without TTL the library keeps a value in an expiry envelope (src/storage.ts): show
    // the value itself, as a reader of the record would see it.
    const value = (await storage.getItem(key)) as { "~exp"?: unknown; "~v"?: unknown } | null;
    const inner =
      value && typeof value === "object" && typeof value["~exp"] === "number" ? value["~v"] : value;
    out[key] = JSON.stringify(inner);
  }
  return out;
}
