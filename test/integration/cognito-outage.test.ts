/**
 * SECURITY.md C5: Cognito unreachable, reset or hung. Every route answers 503 + Retry-After within the
 * deadline, never a refusal, never a success, never a 500; `authenticate()` throws cognito_unavailable;
 * nothing is logged out; the log names the cause without a secret.
 *
 * Real parts only: a session made against cognito-local, then a second warrant on the same store
 * pointed at a closed port, at a listener that never answers, and at one that resets every connection.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import { devices } from "../../src/devices/mod.ts";
import { WarrantError } from "../../src/mod.ts";
import { Client } from "../support/browser-client.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { type DeadCognito, deadCognitos } from "../support/dead-cognito.ts";
import { createEnv, type Env, email, fakeClock, PASSWORD, warrantFor } from "../support/setup.ts";

// Long enough that moving the clock to a token's last minute (cognito-local's live 24 h) ends no session.
const session = { idleTimeout: 3 * 86_400, maxAge: 14 * 86_400 };
const cognitoTimeout = 800;

describe("C5: Cognito unreachable, reset or hung: 503 + Retry-After on every route, nothing logged out", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  for (const make of deadCognitos) {
    describe(`with a ${make.name}`, () => {
      let dead: DeadCognito;
      let name: string;
      const storage = createStorage();
      const clock = fakeClock();
      const logged: string[] = [];
      let live: ReturnType<typeof warrantFor>;
      let down: ReturnType<typeof warrantFor>;
      let browser: Client;
      let onDown: Client;

      before(async () => {
        dead = await make();
        name = email("outage");
        await env.pool.createUser({ email: name, password: PASSWORD });
        live = warrantFor(env, { storage, session, now: clock.now });
        down = warrantFor(env, {
          storage,
          session,
          now: clock.now,
          endpoint: dead.endpoint,
          cognitoTimeout,
          onError: (error) => logged.push(error instanceof Error ? error.message : String(error)),
        });
        browser = new Client(live.handler);
        assert.equal(
          (await browser.json("/accounts/login", { username: name, password: PASSWORD })).status,
          200,
        );
        // The same browser (cookies) against the instance whose Cognito is gone.
        onDown = new Client(down.handler);
        for (const [k, v] of browser.jar) onDown.jar.set(k, v);
      });
      after(() => dead.close());

      const unavailable = async (response: Response, what: string) => {
        assert.equal(response.status, 503, `${what}: ${response.status}`);
        assert.equal(response.headers.get("retry-after"), "5", what);
        const text = await response.text();
        assert.doesNotMatch(text, /ECONN|127\.0\.0\.1|arn:|Exception/, what);
      };
      const stillSignedIn = async () =>
        assert.equal((await browser.get("/accounts/session")).status, 200, "the session survived");

      it("login: 503 (JSON and form), and authenticate() throws cognito_unavailable, naming the cause", async () => {
        const fresh = new Client(down.handler);
        await unavailable(
          await fresh.json("/accounts/login", { username: name, password: PASSWORD }),
          "login",
        );
        await unavailable(await fresh.login(name, PASSWORD), "login form");
        await assert.rejects(
          down.authenticate(name, PASSWORD),
          (e: unknown) =>
            e instanceof WarrantError && e.code === "cognito_unavailable" && dead.cause.test(e.message),
        );
        assert.ok(logged.length > 0 && logged.every((line) => dead.cause.test(line)), logged.join("\n"));
        assert.ok(logged.every((line) => !line.includes(PASSWORD)));
      });

      it("profile and profile update: 503, never 401, the session stays", async () => {
        await unavailable(await onDown.get("/accounts/profile"), "profile");
        await unavailable(
          await onDown.get("/accounts/profile", { accept: "application/json" }),
          "profile JSON",
        );
        await unavailable(
          await onDown.json("/accounts/profile/update", { first_name: "X" }),
          "profile update",
        );
        await stillSignedIn();
      });

      it("forgot and reset: 503, never 'a code is on its way' or 'code not valid'", async () => {
        const fresh = new Client(down.handler);
        await unavailable(await fresh.json("/accounts/password/forgot", { username: name }), "forgot");
        await unavailable(
          await fresh.json("/accounts/password/reset", {
            username: name,
            code: TEST_CODE,
            newPassword: "N3w-Passw0rd!",
          }),
          "reset",
        );
      });

      it("sign-up and its confirmation: 503, never 'invalid email' or 'bad code'", async () => {
        const fresh = new Client(down.handler);
        await unavailable(
          await fresh.json("/accounts/signup", { email: email("new"), password: PASSWORD }),
          "sign-up",
        );
        await unavailable(
          await fresh.json("/accounts/signup/confirm", {
            username: name,
            code: TEST_CODE,
            password: PASSWORD,
          }),
          "sign-up confirmation",
        );
        await stillSignedIn();
      });
      it("password change, the staff pages and the devices' sessions page: 503, never 401, 403 or 500; the session stays", async () => {
        await unavailable(
          await onDown.json("/accounts/password/change", {
            currentPassword: PASSWORD,
            newPassword: "N3w-Passw0rd!",
          }),
          "password change",
        );
        await stillSignedIn();
        // Staff membership is asked of Cognito on each admin request: an outage is no refusal.
        const staffName = email("outage-staff");
        await env.pool.createUser({ email: staffName, password: PASSWORD, groups: ["admin"] });
        const staff = new Client(live.handler);
        assert.equal(
          (await staff.json("/accounts/login", { username: staffName, password: PASSWORD })).status,
          200,
        );
        const staffDown = new Client(down.handler);
        for (const [k, v] of staff.jar) staffDown.jar.set(k, v);
        await unavailable(await staffDown.get("/accounts/admin/users"), "staff pages");
        await unavailable(
          await staffDown.get("/accounts/admin/users", { accept: "application/json" }),
          "staff pages JSON",
        );
        // The devices extension's page lists Cognito's devices too: without Cognito it is an outage.
        const withDevices = warrantFor(env, {
          storage,
          session,
          now: clock.now,
          endpoint: dead.endpoint,
          cognitoTimeout,
          extensions: [devices()],
          onError: () => {},
        });
        const page = new Client(withDevices.handler);
        for (const [k, v] of browser.jar) page.jar.set(k, v);
        await unavailable(await page.get("/accounts/sessions"), "sessions page");
        await unavailable(
          await page.get("/accounts/sessions", { accept: "application/json" }),
          "sessions JSON",
        );
        await stillSignedIn();
      });

      it("refresh: a still-valid access token is served at once; an expired one is 503; the session stays", async () => {
        const record = await down.getSession(
          new Request("http://localhost/", { headers: { cookie: onDown.cookieHeader } }),
        );
        assert.ok(record);
        const at = record.accessExpiresAt;
        // 30 s left: the refresh is due, Cognito does not answer, the request goes on with the valid token.
        clock.advance(at - 30_000 - clock.now());
        const started = Date.now();
        const served = await onDown.get("/accounts/session", { accept: "application/json" });
        assert.equal(served.status, 200, "served with the still-valid token");
        assert.ok(Date.now() - started < cognitoTimeout + 1500, "not held for the refresh");
        // Expired: the refresh must happen and cannot, so 503, and the session is kept.
        clock.advance(60_000);
        await unavailable(await onDown.get("/accounts/session", { accept: "application/json" }), "refresh");
        await unavailable(await onDown.get("/accounts/profile"), "protected page after expiry");
        assert.ok(
          await live.getSession(
            new Request("http://localhost/", { headers: { cookie: browser.cookieHeader } }),
          ),
        );
      });
    });
  }

  it("regression (issue 10 item 1): safe calls are retried within the deadline, logins never (a reset connection)", async () => {
    const { resetsConnections } = await import("../support/dead-cognito.ts");
    const dead = await resetsConnections();
    try {
      const warrant = warrantFor(env, { endpoint: dead.endpoint, cognitoTimeout: 5000 });
      await assert.rejects(warrant.authenticate(email("once"), PASSWORD), { code: "cognito_unavailable" });
      assert.equal(dead.connections(), 1, "a login is sent once (E5)");
      const api = await import("../../src/cognito/api.ts");
      const { resolveConfig } = await import("../../src/options.ts");
      const cognito = api.createCognitoApi(
        resolveConfig({
          userPoolId: env.pool.userPoolId,
          clientId: "c",
          endpoint: dead.endpoint,
          secret: "s".repeat(32),
        }),
      );
      await assert.rejects(cognito.getUser("not-a-token"), { code: "cognito_unavailable" });
      assert.equal(dead.connections(), 1 + 3, "GetUser is safe to repeat: three attempts");
    } finally {
      await dead.close();
    }
  });

  it("regression (issue 10 item 1): the SDK's $metadata on a connection error is no answer from Cognito", async () => {
    const { classify, cognitoName } = await import("../../src/cognito/errors.ts");
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), {
      code: "ECONNREFUSED",
      $metadata: { attempts: 1, totalRetryDelay: 0 },
    });
    assert.equal(cognitoName(refused), undefined);
    assert.equal(classify(refused), "unavailable");
    const said = Object.assign(new Error("x"), {
      name: "NotAuthorizedException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
    });
    assert.equal(classify(said), "credentials");
  });
});
