/**
 * `@warrant/cognito/sessions`: a session reader over the store a full warrant writes (people log in
 * through cognito-local on the warrant; the reader, on the same real Redis, reads what it wrote).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { createSessionReader } from "../../src/reader.ts";
import {
  createEnv,
  type Env,
  email,
  fakeClock,
  PASSWORD,
  REDIS_URL,
  SECRET,
  warrantFor,
} from "../support/setup.ts";

const at = (cookie?: string, accept = "text/html") =>
  new Request("http://localhost/app", { headers: { accept, ...(cookie ? { cookie } : {}) } });

describe("session reader", () => {
  let env: Env;
  const base = `warrant-test-reader-${process.pid}-${Date.now()}`;
  const storage = createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
  const clock = fakeClock();
  const options = { session: { idleTimeout: 3 * 86_400 }, storage, now: clock.now };

  before(async () => {
    env = await createEnv();
  });
  after(async () => {
    await storage.clear();
    await storage.dispose();
    await env.close();
  });

  async function signIn() {
    const warrant = warrantFor(env, options);
    const name = email("reader");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const result = await warrant.authenticate(name, PASSWORD);
    assert.ok(result.ok);
    const { cookie } = await warrant.createSession(result);
    return { warrant, cookie: cookie.split(";")[0]! };
  }

  const reader = () =>
    createSessionReader({
      userPoolId: env.pool.userPoolId,
      clientId: env.pool.clientId,
      secret: SECRET,
      ...options,
    });

  it("reads a session another warrant made, and protect lets its user through", async () => {
    const { warrant, cookie } = await signIn();
    const sessions = reader();
    const session = await sessions.getSession(at(cookie));
    assert.equal(session?.user.username, (await warrant.getSession(at(cookie)))?.user.username);
    const app = sessions.protect((_r, { user }) => new Response(`hello ${user.username}`));
    const response = await app(at(cookie));
    assert.equal(response.status, 200);
    assert.equal(await response.text(), `hello ${session!.user.username}`);
  });

  it("answers an anonymous request as protect does: 303 to the login page, or 401 for JSON", async () => {
    const app = reader().protect(() => new Response("never"));
    const page = await app(at(undefined));
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/accounts/login?next=%2Fapp");
    const api = await app(at(undefined, "application/json"));
    assert.equal(api.status, 401);
    assert.match(api.headers.get("www-authenticate") ?? "", /^Bearer/);
  });

  it("sees a logout on the warrant at once", async () => {
    const { warrant, cookie } = await signIn();
    const sessions = reader();
    assert.ok(await sessions.getSession(at(cookie)));
    await warrant.logout(at(cookie));
    assert.equal(await sessions.getSession(at(cookie)), null);
  });

  it("never calls Cognito: an expired access token is not refreshed, and the session stays", async () => {
    const { cookie } = await signIn();
    const sessions = reader();
    const before = await sessions.getSession(at(cookie));
    assert.ok(before);
    // Past the access token's expiry (cognito-local: 24 h) but inside the idle timeout. A refresh would
    // throw here (the reader has no Cognito, and the token has expired), so a session proves none was tried.
    clock.advance(before.accessExpiresAt - clock.now() + 60_000);
    const after = await sessions.getSession(at(cookie));
    assert.equal(after?.id, before.id);
    assert.equal(after?.accessExpiresAt, before.accessExpiresAt);
  });

  it("refuses a bearer token that is not a Cognito token of the pool", async () => {
    const api = reader().bearer(() => new Response("never"));
    const response = await api(
      new Request("http://localhost/api", { headers: { authorization: "Bearer not.a.jwt" } }),
    );
    assert.equal(response.status, 401);
  });
});
