/**
 * Issue 9 item 7, the rate-limit part: counters go when their window ends on every store, also on
 * drivers without TTL (memory, fs), and what the memory counters hold is bounded.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createStorage, type Storage } from "unstorage";
import fsDriver from "unstorage/drivers/fs";
import { memoryCounters } from "../../src/mod.ts";
import { Client } from "../support/browser-client.ts";
import { createEnv, type Env, warrantFor } from "../support/setup.ts";

// The number on memory, the default store; fewer on fs, where every login reads a file.
const runs = { memory: 10_000, fs: 2_000 } as const;

describe("failed logins with distinct names", () => {
  let env: Env;
  const dir = mkdtempSync(join(tmpdir(), "warrant-bounded-"));
  before(async () => {
    env = await createEnv();
    // FAKE Cognito refusal for these names: cognito-local answers the same NotAuthorizedException, at
    // about 8 ms a call (90 s for 10,000); what stays in the store does not depend on who said no.
    env.front.intercept("InitiateAuth", async (body, forward) =>
      String(body.AuthParameters?.USERNAME).startsWith("nobody-")
        ? { status: 400, body: { __type: "NotAuthorizedException", message: "FAKE refusal" } }
        : forward(body),
    );
  });
  after(async () => {
    await env.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fail = async (handler: (r: Request) => Promise<Response>, failures: number) => {
    let next = 0;
    const statuses = new Map<number, number>();
    // 25 at a time: a steady stream, as an attacker trying names would send.
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < failures) {
          const i = next++;
          const res = await new Client(handler).json("/accounts/login", {
            username: `nobody-${i}@example.com`,
            password: "Wrong-1",
          });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    return statuses;
  };

  for (const name of ["memory", "fs"] as const) {
    // Regression: 10,000 failed logins left 20,000 rate-limit keys forever on memory and fs.
    const failures = runs[name];
    it(`${failures} leave no rate-limit key in the ${name} store, and the counters bounded`, async () => {
      const storage: Storage =
        name === "memory" ? createStorage() : createStorage({ driver: fsDriver({ base: dir }) });
      env.front.resetCalls();
      const counters = memoryCounters({ maxKeys: 1000 });
      const warrant = warrantFor(env, {
        storage,
        counters,
        rateLimit: { perAccount: 5, perAddress: 1_000_000, window: 900 },
      });
      const statuses = await fail(warrant.handler, failures);
      assert.equal(statuses.get(401), failures, "each one reached Cognito and failed");
      assert.ok(env.front.calls("InitiateAuth") >= failures);
      const keys = await storage.getKeys();
      assert.deepEqual(
        keys.filter((k) => k.startsWith("ratelimit")),
        [],
      );
      assert.ok(keys.length < 10, `${keys.length} keys in the store`);
      assert.ok((counters as unknown as { size: number }).size <= 1000);
    });
  }
});
