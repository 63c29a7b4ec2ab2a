/**
 * @module
 * The HTTP conformance suite: the demo app (examples/app.ts) as a user reaches it over real HTTP, the same
 * scenarios on every runtime. `conformance(runtime)` starts that runtime's demo against a fresh pool in the
 * run's cognito-local (USER_PASSWORD_AUTH; SRP has its own tests) and checks login (form and JSON),
 * session, profile, update, logout, protect, withApiKey and the handler's security checks.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { Client, csrfOf } from "../support/browser-client.ts";
import { createTestPool, type TestPool } from "../support/cognito-local.ts";
import { email, PASSWORD, SECRET } from "../support/setup.ts";
import { type DemoServer, type Runtime, startDemo } from "./servers.ts";

/** The demo's environment for a pool: the variables `npm start` documents. */
export function demoEnv(pool: TestPool): Record<string, string> {
  return {
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    COGNITO_ENDPOINT: pool.endpoint,
    COGNITO_AUTH_FLOW: "USER_PASSWORD_AUTH",
    WARRANT_SECRET: SECRET,
    // cognito-local takes any; set so no runtime goes looking for real AWS credentials.
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_REGION: "local",
    // Memory (or KV on Workers): the shared-store test brings its own Redis.
    REDIS_URL: "",
  };
}

/**
 * Posts `body` on a connection of its own and reads the status. A server that answers before reading a
 * whole body may then drop that connection (the Node adapter does); on a pooled fetch connection the
 * next request would meet the reset instead.
 */
function postAlone(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent: false, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may stop reading once it has answered; the status is what counts.
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    req.end(body);
  });
}

/** A browser-like client (cookies, same-origin headers, CSRF fields) over real HTTP. */
export function httpClient(url: string): Client {
  return new Client((request) => fetch(request, { redirect: "manual" }), url);
}

function assertHeaders(res: Response, html: boolean) {
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  if (html) {
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
  } else {
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  }
}

const json = { accept: "application/json" };

/** Registers the suite for one runtime. */
export function conformance(runtime: Runtime): void {
  describe(`conformance: the demo on ${runtime}`, () => {
    let pool: TestPool;
    let server: DemoServer;
    let name: string;
    let username: string;
    const client = () => httpClient(server.url);
    const signedIn = async () => {
      const c = client();
      const res = await c.login(name, PASSWORD);
      assert.equal(res.status, 303, `login failed on ${runtime}`);
      return c;
    };

    before(async () => {
      pool = await createTestPool();
      name = email(runtime);
      username = await pool.createUser({
        email: name,
        password: PASSWORD,
        attributes: { given_name: "Ada", family_name: "Lovelace" },
      });
      server = await startDemo(runtime, demoEnv(pool));
    });
    after(async () => {
      await server?.stop();
    });

    it("serves the login form with a CSRF field, no-store and the HTML security headers", async () => {
      const res = await client().get("/accounts/login");
      assert.equal(res.status, 200);
      assertHeaders(res, true);
      const html = await res.text();
      assert.match(html, /<form[^>]+method="post"/);
      assert.match(html, /autocomplete="current-password"/);
      assert.doesNotThrow(() => csrfOf(html));
    });

    it("logs in through the form: 303 to the profile with a session cookie", async () => {
      const c = client();
      const res = await c.login(name, PASSWORD);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/accounts/profile");
      assert.match(c.jar.get("warrant") ?? "", /^[A-Za-z0-9_-]{43}$/);
      assert.match(res.headers.getSetCookie().join("\n"), /warrant=[^;]+;.*HttpOnly/);
    });

    it("logs in through JSON: 200 { user } and a cookie", async () => {
      const c = client();
      const res = await c.json("/accounts/login", { username: name, password: PASSWORD });
      assert.equal(res.status, 200);
      assertHeaders(res, false);
      const body = (await res.json()) as { user: Record<string, unknown> };
      assert.equal(body.user.username, username);
      assert.equal(body.user.first_name, "Ada");
      assert.ok(c.jar.has("warrant"));
    });

    it("answers a wrong password with 401 and the generic message", async () => {
      const res = await client().json("/accounts/login", { username: name, password: "Wrong-Password-1" });
      assert.equal(res.status, 401);
      assert.ok(!client().jar.has("warrant"));
      assert.doesNotMatch(await res.text(), /NotAuthorized|Exception/);
    });

    it("GET /session: the user and expiry when signed in, 401 when anonymous", async () => {
      const c = await signedIn();
      const res = await c.get("/accounts/session", json);
      assert.equal(res.status, 200);
      assertHeaders(res, false);
      const body = (await res.json()) as { user: { username: string }; expiresAt: number };
      assert.equal(body.user.username, username);
      assert.ok(body.expiresAt > Date.now());
      assert.equal((await client().get("/accounts/session", json)).status, 401);
    });

    it("shows the profile from Cognito", async () => {
      const c = await signedIn();
      const res = await c.get("/accounts/profile");
      assert.equal(res.status, 200);
      assertHeaders(res, true);
      const html = await res.text();
      assert.ok(html.includes(name));
      assert.match(html, /Lovelace/);
    });

    it("updates the profile through the form: Cognito, the profile page and the session agree", async () => {
      const c = await signedIn();
      const res = await c.submit("/accounts/profile/update", "/accounts/profile/update", {
        first_name: `Grace-${runtime}`,
        last_name: "Lovelace",
      });
      assert.equal(res.status, 303);
      const profile = await (await c.get(res.headers.get("location")!)).text();
      assert.ok(profile.includes(`Grace-${runtime}`));
      const session = (await (await c.get("/accounts/session", json)).json()) as {
        user: { first_name: string };
      };
      assert.equal(session.user.first_name, `Grace-${runtime}`);
      // Put the name back for the scenarios that follow.
      const back = await c.json("/accounts/profile/update", { first_name: "Ada" });
      assert.equal(back.status, 200);
    });

    it("logs out: 303 to login, the cookie expired, the old cookie anonymous (401)", async () => {
      const c = await signedIn();
      const cookie = c.jar.get("warrant")!;
      const page = await c.get("/accounts/logout");
      assert.equal(page.status, 405);
      const res = await c.form("/accounts/logout", { csrf: csrfOf(await page.text()) });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/accounts/login");
      assert.ok(res.headers.getSetCookie().some((line) => /^warrant=;.*Max-Age=0/.test(line)));
      const old = await client().get("/accounts/session", { ...json, cookie: `warrant=${cookie}` });
      assert.equal(old.status, 401);
    });

    it("protect: / redirects anonymous visitors to login with next, and serves signed-in users", async () => {
      const anonymous = await client().get("/");
      assert.equal(anonymous.status, 303);
      assert.equal(anonymous.headers.get("location"), "/accounts/login?next=%2F");
      const api = await client().get("/", json);
      assert.equal(api.status, 401);
      const c = await signedIn();
      const home = await c.get("/");
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Hello, Ada/);
    });

    it("withApiKey: /api/hello with and without Authorization-ID", async () => {
      const without = await client().get("/api/hello");
      assert.equal(without.status, 200);
      assert.deepEqual(await without.json(), { hello: "world", apiKey: null });
      const withKey = await client().get("/api/hello", { "Authorization-ID": "demo-key-1" });
      assert.deepEqual(await withKey.json(), { hello: "world", apiKey: "present" });
    });

    it("refuses a cross-site POST with 403", async () => {
      const res = await client().json(
        "/accounts/login",
        { username: name, password: PASSWORD },
        { "sec-fetch-site": "cross-site", origin: "https://attacker.example" },
      );
      assert.equal(res.status, 403);
      assert.deepEqual(
        res.headers.getSetCookie().filter((c) => c.startsWith("warrant=")),
        [],
      );
    });

    it("refuses a form POST without its CSRF token with 403", async () => {
      const c = await signedIn();
      assert.equal((await c.form("/accounts/profile/update", { first_name: "NoToken" })).status, 403);
      const anonymous = client();
      await anonymous.get("/accounts/login");
      assert.equal(
        (await anonymous.form("/accounts/login", { username: name, password: PASSWORD })).status,
        403,
      );
    });

    it("answers a 1 MB body with 413", async () => {
      const body = new URLSearchParams({ username: "a".repeat(1024 * 1024), password: "x" }).toString();
      const status = await postAlone(`${server.url}/accounts/login`, body, {
        "content-type": "application/x-www-form-urlencoded",
        origin: server.url,
        "sec-fetch-site": "same-origin",
      });
      assert.equal(status, 413);
    });

    it("sends a hostile next to the default redirect", async () => {
      for (const next of ["//evil.com", "https://evil.com", "/\\evil.com", "javascript:alert(1)"]) {
        const res = await client().login(name, PASSWORD, next);
        assert.equal(res.status, 303);
        assert.equal(res.headers.get("location"), "/accounts/profile", JSON.stringify(next));
      }
      const safe = await client().login(name, PASSWORD, "/api/hello?x=1");
      assert.equal(safe.headers.get("location"), "/api/hello?x=1");
    });

    it("treats an unknown session cookie as anonymous and sets no session cookie", async () => {
      for (const cookie of [`warrant=${"B".repeat(43)}`, "warrant=../x"]) {
        const session = await client().get("/accounts/session", { ...json, cookie });
        assert.equal(session.status, 401);
        assert.ok(!session.headers.getSetCookie().some((c) => c.startsWith("warrant=")));
        const home = await client().get("/", { cookie });
        assert.equal(home.status, 303);
      }
    });
  });
}
