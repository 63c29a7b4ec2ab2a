/**
 * adapters/hono.ts in a real Hono app: the account routes answered under basePath, `c.var.user` and
 * `c.var.session` on the app's own routes, `requireUser` (303 for pages, 401 for JSON), the app's own
 * JSON body after the middleware, and a store outage as 503 with Retry-After.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Hono } from "hono";
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { requireUser, type WarrantEnv, warrantMiddleware } from "../../adapters/hono.ts";
import { createWarrant } from "../../src/mod.ts";
import { newToken } from "../../src/sessions/store.ts";
import { freePort } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const origin = "http://localhost";

/** The app a README reader writes (see the README's Hono section). */
function appFor(warrant: ReturnType<typeof warrantFor>) {
  return new Hono()
    .use(warrantMiddleware(warrant))
    .get("/", (c) => c.text(c.var.user ? `Hello ${c.var.user.username}` : "Hello stranger"))
    .get("/me", requireUser(warrant), (c) =>
      c.json({ username: c.var.user.username, sub: c.var.session.user.sub }),
    )
    .post("/orders", requireUser(warrant), async (c) => {
      const order = await c.req.json<{ item: string }>();
      return c.json({ item: order.item, by: c.var.user.username }, 201);
    });
}

async function signIn(app: { fetch: (r: Request) => Response | Promise<Response> }, username: string) {
  const res = await app.fetch(
    new Request(`${origin}/accounts/login`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", origin },
      body: JSON.stringify({ username, password: PASSWORD }),
    }),
  );
  assert.equal(res.status, 200);
  const body = (await res.json()) as { user: { username: string } };
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("warrant="))!;
  return { cookie: cookie.split(";")[0]!, user: body.user };
}

describe("Hono adapter", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("serves the account pages under basePath and leaves other paths to the app", async () => {
    const app = appFor(warrantFor(env));
    const login = await app.fetch(new Request(`${origin}/accounts/login`));
    assert.equal(login.status, 200);
    assert.match(await login.text(), /name="csrf"/);
    const unknown = await app.fetch(new Request(`${origin}/accounts/nope`));
    assert.equal(unknown.status, 404, "basePath is the warrant's, 404 included");
    await unknown.arrayBuffer();
    const home = await app.fetch(new Request(`${origin}/`));
    assert.equal(await home.text(), "Hello stranger");
  });

  it("signs a user in, then c.var.user and c.var.session carry them on the app's routes", async () => {
    const name = email("hono");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const app = appFor(warrantFor(env));
    const { cookie, user } = await signIn(app, name);
    const home = await app.fetch(new Request(`${origin}/`, { headers: { cookie } }));
    assert.equal(await home.text(), `Hello ${user.username}`);
    const me = await app.fetch(new Request(`${origin}/me`, { headers: { cookie } }));
    assert.equal(me.status, 200);
    const body = (await me.json()) as { username: string; sub: string };
    assert.equal(body.username, user.username);
    assert.match(body.sub, /\S/);
  });

  it("requireUser: 303 to the login page with next for a page, 401 for JSON", async () => {
    const app = appFor(warrantFor(env));
    const page = await app.fetch(new Request(`${origin}/me?tab=1`));
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/accounts/login?next=%2Fme%3Ftab%3D1");
    const api = await app.fetch(new Request(`${origin}/me`, { headers: { accept: "application/json" } }));
    assert.equal(api.status, 401);
    assert.match(api.headers.get("www-authenticate") ?? "", /^Bearer/);
    assert.equal(((await api.json()) as { error: string }).error, "unauthorized");
    const stale = await app.fetch(
      new Request(`${origin}/me`, {
        headers: { accept: "application/json", cookie: `warrant=${newToken()}` },
      }),
    );
    assert.equal(stale.status, 401, "an unknown session token is nobody");
    await stale.arrayBuffer();
  });

  it("leaves the app's own JSON body unread for its POST routes", async () => {
    const name = email("hono-post");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const app = appFor(warrantFor(env));
    const { cookie, user } = await signIn(app, name);
    const res = await app.fetch(
      new Request(`${origin}/orders`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ item: "tea" }),
      }),
    );
    assert.equal(res.status, 201);
    assert.deepEqual(await res.json(), { item: "tea", by: user.username });
  });

  it("requireUser works without the middleware, typed through WarrantEnv", async () => {
    const name = email("hono-alone");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env);
    const app = new Hono<WarrantEnv<typeof warrant>>();
    app.all("/accounts/*", (c) => warrant.handler(c.req.raw));
    app.get("/only", requireUser(warrant), (c) => c.text(c.var.user.username));
    const anonymous = await app.fetch(new Request(`${origin}/only`));
    assert.equal(anonymous.status, 303);
    const { cookie, user } = await signIn(app, name);
    const res = await app.fetch(new Request(`${origin}/only`, { headers: { cookie } }));
    assert.equal(await res.text(), user.username);
  });

  it("answers 503 with Retry-After when the session store does not answer", async () => {
    const port = await freePort();
    const storage = createStorage({
      driver: redisDriver({ url: `redis://127.0.0.1:${port}`, lazyConnect: true, maxRetriesPerRequest: 0 }),
    });
    try {
      const app = appFor(warrantFor(env, { storage, storageTimeout: 300 }));
      const res = await app.fetch(
        new Request(`${origin}/`, { headers: { cookie: `warrant=${newToken()}` } }),
      );
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "5");
      assert.doesNotMatch(await res.text(), /redis|ECONN|127\.0\.0\.1/i);
    } finally {
      await storage.dispose().catch(() => {});
    }
  });
});

/** Compile-time only (tsc -p tsconfig.node.json): what the types allow and refuse. Never called. */
export function honoTypes(warrant: ReturnType<typeof warrantFor>): void {
  new Hono()
    .use(warrantMiddleware(warrant))
    .get("/maybe", (c) => {
      // @ts-expect-error without requireUser nobody may be signed in
      void c.var.user.username;
      const name: string | undefined = c.var.user?.username;
      return c.text(name ?? "");
    })
    .get("/sure", requireUser(warrant), (c) => {
      const groups: string[] = c.var.user.groups;
      const expires: number = c.var.session.expiresAt;
      return c.json({ groups, expires });
    });
}

/** Compile-time only: a typed warrant gives a typed c.var.user and req.warrant.user. Never called. */
export function typedUserTypes(): void {
  const typed = createWarrant({
    userPoolId: "eu-west-1_Types",
    clientId: "types",
    secret: "x".repeat(32),
    attributeMapping: { given_name: "first_name", email: "email" },
  });
  new Hono().get("/typed", requireUser(typed), (c) => {
    const first: string | undefined = c.var.user.first_name;
    // @ts-expect-error a field the mapping does not make
    void c.var.user.frist_name;
    return c.text(first ?? "");
  });
}
