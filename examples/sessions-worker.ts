/**
 * @module
 * A Worker that only checks sessions: people log in through the demo Worker (examples/worker.ts), and this
 * one, on the same KV namespace and secret, serves a protected page and a bearer-protected API with
 * `@warrant/cognito/sessions`. Its bundle has no pages, no routes and no AWS SDK (`npm run size`).
 */
import { type KVNamespaceLike, kvStorage } from "../adapters/cloudflare.ts";
import { createSessionReader, type SessionReader } from "../src/reader.ts";

/** The bindings: the demo's pool, secret and KV namespace. */
export interface Env {
  COGNITO_USER_POOL_ID: string;
  COGNITO_CLIENT_ID: string;
  WARRANT_SECRET: string;
  WARRANT_KV: KVNamespaceLike;
}

let app: ((request: Request) => Promise<Response>) | undefined;

function build(env: Env): (request: Request) => Promise<Response> {
  const sessions: SessionReader = createSessionReader({
    userPoolId: env.COGNITO_USER_POOL_ID,
    clientId: env.COGNITO_CLIENT_ID,
    secret: env.WARRANT_SECRET,
    storage: kvStorage(env.WARRANT_KV, "warrant-demo"),
  });
  const page = sessions.protect((_request, { user }) => new Response(`Hello, ${user.username}`));
  const api = sessions.bearer((_request, { username, groups }) => Response.json({ username, groups }));
  return (request) => (new URL(request.url).pathname.startsWith("/api/") ? api(request) : page(request));
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    app ??= build(env);
    return app(request);
  },
};
