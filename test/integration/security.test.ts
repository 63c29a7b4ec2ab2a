/**
 * SECURITY.md lines for the handler, each as a test: R1 R2 R3 R6 S3 S7 E1 E2 E4 T4, protect, withApiKey.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { withApiKey } from "../../src/mod.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { freePort } from "../support/cognito-local.ts";
import { createEnv, dump, type Env, email, JWT, PASSWORD, SECRET, warrantFor } from "../support/setup.ts";

/** Captures everything written to the console while `work` runs. */
async function captureLogs<T>(work: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const lines: string[] = [];
  const original = {
    log: console.log,
    error: console.error,
    warn: console.warn,
    info: console.info,
    debug: console.debug,
  };
  for (const k of Object.keys(original) as (keyof typeof original)[])
    console[k] = (...args: unknown[]) => lines.push(args.map(String).join(" "));
  try {
    const result = await work();
    return { result, logs: lines.join("\n") };
  } finally {
    Object.assign(console, original);
  }
}

function assertSecurityHeaders(res: Response, html: boolean) {
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.match(res.headers.get("x-request-id") ?? "", /^[0-9a-f]{16}$/);
  if (html) {
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.equal(res.headers.get("x-frame-options"), "DENY");
    assert.equal(res.headers.get("referrer-policy"), "same-origin");
  }
}

describe("handler security", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  const signedIn = async (options: Parameters<typeof warrantFor>[1] = {}) => {
    const name = email("sec");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Sec" },
    });
    const warrant = warrantFor(env, options);
    const client = new Client(warrant.handler);
    const res = await client.login(name, PASSWORD);
    assert.equal(res.status, 303);
    return { warrant, client, name, username };
  };

  describe("R1 cross-origin check", () => {
    it("refuses cross-site and look-alike origins, allows same-origin and non-browser requests", async () => {
      const name = email("r1");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const warrant = warrantFor(env);
      const body = JSON.stringify({ username: name, password: PASSWORD });
      const post = (headers: Record<string, string>) =>
        warrant.handler(
          new Request("http://localhost/accounts/login", {
            method: "POST",
            body,
            headers: { "content-type": "application/json", ...headers },
          }),
        );
      env.front.resetCalls();
      assert.equal(
        (await post({ "sec-fetch-site": "cross-site", origin: "https://attacker.example" })).status,
        403,
      );
      assert.equal(
        (await post({ "sec-fetch-site": "same-site", origin: "http://sub.localhost" })).status,
        403,
      );
      assert.equal((await post({ origin: "http://localhost.attacker.com" })).status, 403);
      assert.equal((await post({ origin: "null" })).status, 403);
      assert.equal(env.front.calls(), 0, "refused before Cognito");
      assert.equal((await post({ "sec-fetch-site": "same-origin", origin: "http://localhost" })).status, 200);
      assert.equal((await post({ origin: "http://localhost" })).status, 200);
      assert.equal((await post({})).status, 200, "no browser headers: not a browser");
    });

    it("takes allowed origins from options, never from X-Forwarded-Host", async () => {
      const name = email("r1b");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const warrant = warrantFor(env, { origins: ["https://app.example.com"] });
      const post = (headers: Record<string, string>) =>
        warrant.handler(
          new Request("http://internal:8080/accounts/login", {
            method: "POST",
            body: JSON.stringify({ username: name, password: PASSWORD }),
            headers: { "content-type": "application/json", ...headers },
          }),
        );
      assert.equal(
        (await post({ origin: "https://app.example.com", "sec-fetch-site": "cross-site" })).status,
        200,
      );
      assert.equal((await post({ origin: "http://internal:8080" })).status, 403);
      assert.equal(
        (await post({ origin: "https://evil.example", "x-forwarded-host": "evil.example" })).status,
        403,
      );
    });
  });

  describe("R2 CSRF tokens", () => {
    it("refuses a form post without a token, with a forged one, or with another session's token", async () => {
      const { client, warrant } = await signedIn();
      const other = await signedIn();
      const otherToken = csrfOf(await (await other.client.get("/accounts/profile/update")).text());
      const own = csrfOf(await (await client.get("/accounts/profile/update")).text());
      assert.equal((await client.form("/accounts/profile/update", { first_name: "X" })).status, 403);
      assert.equal(
        (await client.form("/accounts/profile/update", { first_name: "X", csrf: "A".repeat(43) })).status,
        403,
      );
      assert.equal(
        (await client.form("/accounts/profile/update", { first_name: "X", csrf: otherToken })).status,
        403,
      );
      assert.equal(
        (await client.form("/accounts/profile/update", { first_name: "X", csrf: own })).status,
        303,
      );
      // A login form token from before login does not work after it (rotated with the session).
      const anon = new Client(warrant.handler);
      const preToken = csrfOf(await (await anon.get("/accounts/login")).text());
      assert.equal((await client.form("/accounts/logout", { csrf: preToken })).status, 403);
    });

    it("refuses a login form post whose token belongs to another visitor", async () => {
      const warrant = warrantFor(env);
      const a = new Client(warrant.handler);
      const b = new Client(warrant.handler);
      const tokenA = csrfOf(await (await a.get("/accounts/login")).text());
      await b.get("/accounts/login");
      env.front.resetCalls();
      assert.equal(
        (await b.form("/accounts/login", { csrf: tokenA, username: "x@example.com", password: PASSWORD }))
          .status,
        403,
      );
      assert.equal(env.front.calls(), 0);
    });

    it("accepts a token signed with a secret that has since rotated to second place", async () => {
      const name = email("rot");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const before = new Client(warrantFor(env).handler);
      const token = csrfOf(await (await before.get("/accounts/login")).text());
      const rotated = warrantFor(env, { secret: ["a-rotated-in-secret-0123456789-abcdefgh", SECRET] });
      const after = new Client(rotated.handler);
      for (const [k, v] of before.jar) after.jar.set(k, v);
      assert.equal(
        (await after.form("/accounts/login", { csrf: token, username: name, password: PASSWORD })).status,
        303,
      );
    });
  });

  describe("R3 bodies", () => {
    it("answers a 1 MB chunked body with 413 without calling Cognito", async () => {
      const warrant = warrantFor(env);
      env.front.resetCalls();
      const chunk = new TextEncoder().encode(`username=${"a".repeat(64 * 1024)}`);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 16) return controller.close();
          sent++;
          controller.enqueue(chunk);
        },
      });
      const res = await warrant.handler(
        new Request("http://localhost/accounts/login", {
          method: "POST",
          body,
          duplex: "half",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        } as RequestInit),
      );
      assert.equal(res.status, 413);
      assert.ok(sent < 16, "stopped reading early");
      assert.equal(env.front.calls(), 0);
    });

    it("answers a lying Content-Length with 413 too", async () => {
      const res = await warrantFor(env).handler(
        new Request("http://localhost/accounts/login", {
          method: "POST",
          body: "x".repeat(20_000),
          headers: { "content-type": "application/json", "content-length": "10" },
        }),
      );
      assert.equal(res.status, 413);
    });

    it("answers other content types with 415, duplicate fields and non-string JSON with 400", async () => {
      const warrant = warrantFor(env);
      const post = (body: string, type: string) =>
        warrant.handler(
          new Request("http://localhost/accounts/login", {
            method: "POST",
            body,
            headers: { "content-type": type },
          }),
        );
      assert.equal((await post("username=a", "text/plain")).status, 415);
      assert.equal((await post("--x--", "multipart/form-data; boundary=x")).status, 415);
      assert.equal(
        (await post("username=a&username=b&password=c", "application/x-www-form-urlencoded")).status,
        400,
      );
      assert.equal((await post('{"username":1}', "application/json")).status, 400);
      assert.equal((await post("[1]", "application/json")).status, 400);
      assert.equal((await post("{bad", "application/json")).status, 400);
    });
  });

  describe("R6 headers", () => {
    it("puts no-store and the HTML security headers on 2xx, 3xx, 4xx and 5xx", async () => {
      const { client } = await signedIn();
      assertSecurityHeaders(await client.get("/accounts/login"), true);
      assertSecurityHeaders(await client.get("/accounts/profile"), true);
      assertSecurityHeaders(await client.form("/accounts/profile/update", {}), true); // 403
      assertSecurityHeaders(await client.get("/accounts/session", { accept: "application/json" }), false);
      env.front.fakeFault("GetUser", { kind: "error", status: 500, type: "InternalErrorException" }, 3);
      const failing = await client.get("/accounts/profile");
      assert.equal(failing.status, 503);
      assertSecurityHeaders(failing, true);
    });
  });

  describe("S3 and S7 cookies", () => {
    it("treats malformed cookies as anonymous, writes nothing and never echoes them", async () => {
      const storage = createStorage();
      const { warrant } = await signedIn({ storage });
      const before = await dump(storage);
      for (const cookie of ["warrant=../x", `warrant=${"A".repeat(10_000)}`, `warrant=${"B".repeat(43)}`]) {
        const res = await warrant.handler(
          new Request("http://localhost/accounts/profile", { headers: { cookie } }),
        );
        assert.equal(res.status, 303);
        assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith("warrant=")));
      }
      assert.deepEqual(await dump(storage), before);
    });

    it("sets every cookie HttpOnly, SameSite=Lax, Path=/ and without Domain; __Host- + Secure on https", async () => {
      const name = email("https");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const warrant = warrantFor(env);
      const client = new Client(warrant.handler, "https://app.example.com");
      const page = await client.get("/accounts/login");
      const login = await client.form("/accounts/login", {
        csrf: csrfOf(await page.text()),
        username: name,
        password: PASSWORD,
      });
      const logout = await client.form("/accounts/logout", {
        csrf: csrfOf(await (await client.get("/accounts/profile")).text()),
      });
      const all = [
        ...page.headers.getSetCookie(),
        ...login.headers.getSetCookie(),
        ...logout.headers.getSetCookie(),
      ];
      assert.ok(all.length >= 3);
      for (const c of all) {
        assert.match(c, /^__Host-/);
        assert.match(c, /; Path=\/(;|$)/);
        assert.match(c, /; HttpOnly/);
        assert.match(c, /; SameSite=Lax/);
        assert.match(c, /; Secure$/);
        assert.doesNotMatch(c, /Domain=/i);
      }
    });
  });

  describe("E1 generic errors, E2/T4 nothing secret in logs", () => {
    it("shows a generic error page with a request id and nothing from upstream (FAKE Cognito fault with an ARN)", async () => {
      const { client } = await signedIn();
      env.front.fakeFault(
        "GetUser",
        {
          kind: "error",
          status: 400,
          type: "InternalFailure",
          message: "arn:aws:cognito-idp:eu-west-1:123:userpool/x secret",
        },
        1,
      );
      const { result: res, logs } = await captureLogs(() => client.get("/accounts/profile"));
      assert.equal(res.status, 500);
      const body = await res.text();
      assert.ok(!body.includes("arn:"));
      assert.ok(!body.includes("InternalFailure"));
      assert.ok(!body.includes(env.pool.userPoolId));
      assert.ok(body.includes(res.headers.get("x-request-id")!));
      assert.ok(!logs.includes("arn:"), "the upstream message is not logged either");
    });

    it("never logs passwords, tokens, session ids, API keys or secrets through every flow", async () => {
      const apiKey = "planted-api-key-7f3a9c";
      const { result, logs } = await captureLogs(async () => {
        const { client, warrant, name } = await signedIn();
        const session = client.jar.get("warrant")!;
        await client.get("/accounts/profile");
        await client.json("/accounts/profile/update", { first_name: "Logged" });
        env.front.fakeFault("GetUser", { kind: "error", status: 500, type: "InternalErrorException" }, 3);
        await client.get("/accounts/profile");
        await new Client(warrant.handler).json("/accounts/login", {
          username: name,
          password: "Wrong-Password-9",
        });
        const api = withApiKey(() => new Response("ok"), { keys: ["another-key"] });
        await api(new Request("http://localhost/api?apiKey=x", { headers: { "authorization-id": apiKey } }));
        await client.form("/accounts/logout", {
          csrf: csrfOf(await (await client.get("/accounts/logout")).text()),
        });
        return { session };
      });
      assert.doesNotMatch(logs, JWT);
      for (const planted of [PASSWORD, "Wrong-Password-9", SECRET, apiKey, result.session]) {
        assert.ok(!logs.includes(planted), `logs contain ${planted.slice(0, 6)}…`);
      }
      assert.match(logs, /warrant: request [0-9a-f]{16} failed/, "failures are logged (without secrets)");
    });
  });

  describe("E4 store outage", () => {
    let redis: ChildProcess;
    let port: number;
    const startRedis = async () => {
      redis = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
      );
      for (let i = 0; i < 50; i++) {
        try {
          const s = await import("node:net").then((net) => net.connect(port, "127.0.0.1"));
          await new Promise((resolve, reject) => s.once("connect", resolve).once("error", reject));
          s.destroy();
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error("redis-server did not start");
    };
    const stopRedis = async () => {
      const exited = new Promise((r) => redis.once("exit", r));
      redis.kill("SIGKILL");
      await exited;
    };
    after(async () => {
      if (redis && redis.exitCode === null) await stopRedis();
    });

    it("answers 503 + Retry-After with the cookie kept when Redis stops, and recovers when it returns", async () => {
      port = await freePort();
      await startRedis();
      const storage = createStorage({
        driver: redisDriver({ url: `redis://127.0.0.1:${port}`, base: "e4", maxRetriesPerRequest: 1 }),
      });
      try {
        const { client, warrant } = await signedIn({ storage, storageTimeout: 500 });
        const cookie = client.jar.get("warrant");
        assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
        await stopRedis();
        const { result: down } = await captureLogs(() => client.get("/accounts/profile"));
        assert.equal(down.status, 503);
        assert.ok(Number(down.headers.get("retry-after")) > 0);
        assert.deepEqual(down.headers.getSetCookie(), []);
        assert.equal(client.jar.get("warrant"), cookie);
        const app = warrant.protect(() => new Response("secret page"));
        const protectedDown = await captureLogs(() =>
          app(new Request("http://localhost/app", { headers: { cookie: client.cookieHeader } })),
        );
        assert.equal(protectedDown.result.status, 503);
        await startRedis();
        // Redis came back empty (no persistence): the same cookie is now simply unknown, not an error.
        let status = 0;
        for (let i = 0; i < 30 && status !== 401; i++) {
          status = (await captureLogs(() => client.get("/accounts/session", { accept: "application/json" })))
            .result.status;
          if (status !== 401) await new Promise((r) => setTimeout(r, 100));
        }
        assert.equal(status, 401);
      } finally {
        await storage.dispose().catch(() => {});
      }
    });
  });

  describe("R8 rate limits", () => {
    it("answers the N+1th failed login with 429 + Retry-After, across two instances and with //login", async () => {
      const name = email("r8");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const storage = createStorage();
      const a = warrantFor(env, { storage, rateLimit: { perAccount: 3, window: 600 } });
      const b = warrantFor(env, { storage, rateLimit: { perAccount: 3, window: 600 } });
      const attempt = (warrant: typeof a, path: string, password: string) =>
        new Client(warrant.handler).json(path, { username: name, password });
      assert.equal((await attempt(a, "/accounts/login", "Wrong-1")).status, 401);
      assert.equal((await attempt(b, "/accounts/login", "Wrong-2")).status, 401);
      assert.equal((await attempt(a, "//accounts//login", "Wrong-3")).status, 401);
      env.front.resetCalls();
      const limited = await attempt(b, "//accounts/login", PASSWORD);
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get("retry-after")) > 0);
      assert.equal(env.front.calls(), 0, "a throttled attempt never reaches Cognito");
      // Another account is not affected.
      const other = email("r8-other");
      await env.pool.createUser({ email: other, password: PASSWORD });
      assert.equal(
        (await new Client(a.handler).json("/accounts/login", { username: other, password: PASSWORD })).status,
        200,
      );
    });

    it("limits by client address only through the configured header", async () => {
      const warrant = warrantFor(env, {
        rateLimit: { perAccount: 100, perAddress: 2, clientAddressHeader: "x-real-ip" },
      });
      const from = (ip: string, username: string) =>
        new Client(warrant.handler).json(
          "/accounts/login",
          { username, password: "Wrong-1" },
          { "x-real-ip": ip },
        );
      assert.equal((await from("203.0.113.5", email("a"))).status, 401);
      assert.equal((await from("203.0.113.5", email("b"))).status, 401);
      assert.equal((await from("203.0.113.5", email("c"))).status, 429);
      assert.equal((await from("198.51.100.1", email("c"))).status, 401);
    });
  });

  describe("protect", () => {
    it("runs the handler for a signed-in user with the user and session", async () => {
      const { client, warrant, username } = await signedIn();
      const app = warrant.protect((_request, { user, session }) =>
        Response.json({ username: user.username, id: session.id.length }),
      );
      const res = await app(
        new Request("http://localhost/app", { headers: { cookie: client.cookieHeader } }),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { username, id: 64 });
    });

    it("redirects HTML callers to login with next, and answers API callers 401 with WWW-Authenticate", async () => {
      const warrant = warrantFor(env);
      let called = false;
      const app = warrant.protect(() => {
        called = true;
        return new Response("secret");
      });
      const html = await app(new Request("http://localhost/orders?id=3"));
      assert.equal(html.status, 303);
      assert.equal(html.headers.get("location"), "/accounts/login?next=%2Forders%3Fid%3D3");
      const api = await app(
        new Request("http://localhost/api/orders", { headers: { accept: "application/json" } }),
      );
      assert.equal(api.status, 401);
      assert.match(api.headers.get("www-authenticate") ?? "", /^Bearer/);
      assert.equal(called, false);
      // The login page carries the next along, and a login lands there.
      const name = email("next");
      await env.pool.createUser({ email: name, password: PASSWORD });
      const client = new Client(warrant.handler);
      const page = await (await client.get("/accounts/login?next=%2Forders%3Fid%3D3")).text();
      assert.match(page, /name="next" value="\/orders\?id=3"/);
      const login = await client.form("/accounts/login", {
        csrf: csrfOf(page),
        username: name,
        password: PASSWORD,
        next: "/orders?id=3",
      });
      assert.equal(login.headers.get("location"), "/orders?id=3");
    });
  });

  describe("withApiKey", () => {
    const echo = withApiKey((_request, { apiKey }) => Response.json({ apiKey: apiKey ?? null }));
    it("attaches the Authorization-ID header value", async () => {
      const res = await echo(
        new Request("http://localhost/api", { headers: { "Authorization-ID": "key-1" } }),
      );
      assert.deepEqual(await res.json(), { apiKey: "key-1" });
    });
    it("attaches nothing when the header is missing, and never reads the URL", async () => {
      const res = await echo(new Request("http://localhost/api?apiKey=from-url&api_key=x"));
      assert.deepEqual(await res.json(), { apiKey: null });
    });
    it("answers 401 { required: true } when required and absent", async () => {
      const required = withApiKey(() => new Response("ok"), { required: true });
      const res = await required(new Request("http://localhost/api"));
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: "unauthorized", required: true });
    });
    it("validates against configured keys and a validate hook", async () => {
      const keyed = withApiKey(() => new Response("ok"), { keys: ["k-1", "k-2"] });
      assert.equal(
        (await keyed(new Request("http://localhost/", { headers: { "authorization-id": "k-2" } }))).status,
        200,
      );
      assert.equal(
        (await keyed(new Request("http://localhost/", { headers: { "authorization-id": "k-3" } }))).status,
        401,
      );
      const hooked = withApiKey(() => new Response("ok"), {
        validate: async (key) => key.startsWith("good-"),
      });
      assert.equal(
        (await hooked(new Request("http://localhost/", { headers: { "authorization-id": "good-1" } })))
          .status,
        200,
      );
      assert.equal(
        (await hooked(new Request("http://localhost/", { headers: { "authorization-id": "bad-1" } }))).status,
        401,
      );
    });
  });
});
