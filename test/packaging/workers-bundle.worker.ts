/**
 * @module
 * A user's Worker as the README shows it, for workers-bundle.workerd.test.ts: `defineWorker` with the
 * store in a KV namespace binding, and an app behind it that writes and reads a local user.
 */
import { defineWorker, kvStorage } from "../../adapters/cloudflare.ts";
import { createStore } from "../../src/storage.ts";
import { upsertUser } from "../../src/users/store.ts";

interface Env {
  SESSIONS: KVNamespace;
  USER_POOL_ID: string;
  CLIENT_ID: string;
  SECRET: string;
}
type KVNamespace = Parameters<typeof import("../../adapters/cloudflare.ts").kvStorage>[0];

let configured = 0;

export default defineWorker(
  (env: Env) => {
    configured++;
    return { userPoolId: env.USER_POOL_ID, clientId: env.CLIENT_ID, secret: env.SECRET, kv: env.SESSIONS };
  },
  async (request, { warrant, env }) => {
    const username = new URL(request.url).searchParams.get("name") ?? "nobody";
    const existing = await warrant.getUser(username);
    const user =
      existing ??
      (await upsertUser(createStore(kvStorage(env.SESSIONS), 3000), {
        username,
        sub: username,
        stored: {},
        create: true,
        now: Date.now(),
        login: false,
      }));
    return Response.json({ user, configured });
  },
);
