/**
 * C3 on Cloudflare Workers, in real workerd (miniflare): KV cannot count, so the rate limits count in
 * Durable Objects. A burst of 50 concurrent wrong passwords, through two isolates' worth of Workers on
 * one Durable Object namespace, reaches Cognito at most 10 times.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";

describe("rate limits in workerd with Durable Object counters", () => {
  let env: Env;
  let mf: Miniflare;
  before(async () => {
    env = await createEnv();
    const bundle = await bundleForWorkers(fileURLToPath(new URL("./limits.worker.ts", import.meta.url)));
    mf = new Miniflare({
      modules: true,
      compatibilityDate: "2025-01-01",
      kvNamespaces: ["SESSIONS"],
      durableObjects: { COUNTERS: "WarrantCounters" },
      bindings: {
        POOL: env.pool.userPoolId,
        CLIENT: env.pool.clientId,
        ENDPOINT: env.front.endpoint,
        SECRET,
      },
      script: bundle.outputFiles[0]!.text,
    });
  });
  after(async () => {
    await mf?.dispose();
    await env?.close();
  });

  // Regression: on KV the limit was read, then written; all 50 passed the read.
  it("lets at most 10 of 50 concurrent wrong passwords reach Cognito, the rest 429", async () => {
    const name = email("workerd");
    await env.pool.createUser({ email: name, password: PASSWORD });
    env.front.resetCalls();
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await mf.dispatchFetch("http://worker/accounts/login", {
          method: "POST",
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "sec-fetch-site": "same-origin",
          },
          body: JSON.stringify({ username: name, password: `Wrong-${i}` }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const sent = env.front.requests("InitiateAuth").filter((b) => b.AuthParameters?.USERNAME === name).length;
    assert.ok(sent <= 10, `${sent} reached Cognito`);
    assert.ok(sent >= 1);
    assert.equal(statuses.filter((s) => s === 429).length, 50 - sent, statuses.join(" "));
  });
});
