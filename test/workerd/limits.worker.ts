/**
 * @module
 * A Worker as an app would write it: `defineWorker` with users and sessions in KV and the rate limits'
 * counters in Durable Objects (`WarrantCounters`), against the cognito-local endpoint it is given.
 */
import { defineWorker } from "../../adapters/cloudflare.ts";

export { WarrantCounters } from "../../adapters/cloudflare.ts";

interface Env {
  SESSIONS: never;
  COUNTERS: never;
  POOL: string;
  CLIENT: string;
  ENDPOINT: string;
  SECRET: string;
}

export default defineWorker((env: Env) => ({
  userPoolId: env.POOL,
  clientId: env.CLIENT,
  endpoint: env.ENDPOINT,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  authFlow: "USER_PASSWORD_AUTH",
  secret: env.SECRET,
  kv: env.SESSIONS,
  counters: "COUNTERS",
  rateLimit: { perAccount: 10, perAddress: 100_000, window: 600 },
}));
