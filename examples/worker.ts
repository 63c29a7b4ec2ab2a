/**
 * @module
 * `npm run start:workers`: the demo as a module Worker. `defineWorker` builds the warrant once per isolate
 * from the bindings (the same variable names as `npm start`, set in wrangler.toml `[vars]`, `.dev.vars`
 * or `wrangler secret put`), with users and sessions in the `WARRANT_KV` namespace and the rate limits'
 * counters in the `WARRANT_COUNTERS` Durable Objects.
 */
import { defineWorker, type KVNamespaceLike } from "../adapters/cloudflare.ts";
import type { Warrant } from "../src/mod.ts";

export { WarrantCounters } from "../adapters/cloudflare.ts";

import { createDemoApp } from "./app.ts";
import { type DemoEnv, optionsFromEnv } from "./config.ts";

/** The Worker's bindings (see examples/wrangler.toml). */
export interface Env extends DemoEnv {
  WARRANT_KV: KVNamespaceLike;
  /** For admin calls and for emulators that want signed requests; Workers have no credential chain. */
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
}

const apps = new WeakMap<Warrant, (request: Request) => Promise<Response>>();

export default defineWorker(
  (env: Env) => {
    const options = optionsFromEnv(env);
    if (!options) {
      throw new Error("demo worker: set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID (wrangler.toml [vars])");
    }
    // A per-isolate random secret would make every other isolate unable to read the sessions.
    if (!env.WARRANT_SECRET)
      throw new Error("demo worker: set WARRANT_SECRET (wrangler secret put WARRANT_SECRET)");
    return {
      ...options,
      ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY } }
        : {}),
      kv: env.WARRANT_KV,
      kvPrefix: "warrant-demo",
      counters: "WARRANT_COUNTERS",
    };
  },
  (request, { warrant }) => {
    let app = apps.get(warrant);
    if (!app) {
      app = createDemoApp(warrant);
      apps.set(warrant, app);
    }
    return app(request);
  },
);
