/**
 * Events and logging (issue 11, item 8) through the handler against cognito-local: each flow emits its
 * event with the request id of its response; a listener that throws or hangs never breaks a response;
 * the debug level names Cognito's exception with a configuration hint; and a run of every flow, logged
 * at debug with every event recorded, holds no password, code, token, cookie or secret (SECURITY.md E2).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import { type EventName, eventNames, type LogLevel, type WarrantOptions } from "../../src/mod.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { enrolTotp, totp } from "../support/challenges.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import {
  createEnv,
  type Env,
  email,
  fakeClock,
  JWT,
  PASSWORD,
  SECRET,
  warrantFor,
} from "../support/setup.ts";

const NEW_PASSWORD = "Brand-New-Pass-42!";
const WRONG_PASSWORD = "Wrong-Horse-77!";

/** Every event and log line of a warrant, and every console line while `watchConsole` is on. */
function recorder(level: LogLevel = "debug") {
  const events: { name: EventName; event: Record<string, unknown> }[] = [];
  const lines: string[] = [];
  const listeners = Object.fromEntries(
    eventNames.map((name) => [name, (event: Record<string, unknown>) => void events.push({ name, event })]),
  );
  const options: Partial<WarrantOptions> = {
    events: listeners,
    logger: { level, log: (at, message, fields) => lines.push(`${at} ${message} ${JSON.stringify(fields)}`) },
  };
  const of = (name: EventName) => events.filter((e) => e.name === name).map((e) => e.event);
  return { events, lines, options, of };
}

function watchConsole() {
  const seen: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const originals = methods.map((m) => console[m]);
  for (const m of methods) console[m] = (...args: unknown[]) => void seen.push(args.map(String).join(" "));
  return {
    seen,
    restore: () =>
      methods.forEach((m, i) => {
        console[m] = originals[i]!;
      }),
  };
}

describe("events and logging", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("emits login, logout and sessionEnd with the response's request id, and no event for a wrong password", async () => {
    const name = email("events-login");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Eve" },
    });
    const rec = recorder("info");
    const client = new Client(warrantFor(env, rec.options).handler);
    const wrong = await client.json("/accounts/login", { username: name, password: WRONG_PASSWORD });
    assert.equal(wrong.status, 401);
    assert.equal(rec.events.length, 0, "no event for a wrong password");
    const login = await client.json("/accounts/login", { username: name, password: PASSWORD });
    assert.equal(login.status, 200);
    const event = rec.of("login")[0]!;
    assert.equal(event.username, username);
    assert.equal((event.user as { first_name?: string }).first_name, "Eve");
    assert.equal(event.requestId, login.headers.get("x-request-id"));
    assert.equal(typeof event.at, "number");
    const out = await client.json("/accounts/logout", {});
    assert.equal(out.status, 200);
    assert.deepEqual(
      rec.events.slice(1).map((e) => [e.name, e.event.username, e.event.reason, e.event.requestId]),
      [
        ["logout", username, undefined, out.headers.get("x-request-id")],
        ["sessionEnd", username, "logout", out.headers.get("x-request-id")],
      ],
    );
    assert.ok(rec.lines.some((l) => l.startsWith("info event login")));
  });

  it("a listener that throws or never settles does not break the response; the error is logged by name", async () => {
    const name = email("events-broken");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const lines: string[] = [];
    const logger = { log: (at: LogLevel, message: string) => void lines.push(`${at} ${message}`) };
    const throwing = warrantFor(env, {
      logger,
      events: {
        login: () => {
          throw new TypeError(`leaky ${PASSWORD}`);
        },
      },
    });
    const first = await new Client(throwing.handler).json("/accounts/login", {
      username: name,
      password: PASSWORD,
    });
    assert.equal(first.status, 200);
    assert.ok(lines.includes("error events.login threw (TypeError); the request went on"), lines.join("\n"));
    const hanging = warrantFor(env, { logger, events: { login: () => new Promise<void>(() => {}) } });
    const started = performance.now();
    const second = await new Client(hanging.handler).json("/accounts/login", {
      username: name,
      password: PASSWORD,
    });
    assert.equal(second.status, 200);
    assert.ok(performance.now() - started < 4000, "answered after the deadline, not never");
    assert.ok(lines.some((l) => l.startsWith("warn events.login took longer than 1000 ms")));
    assert.ok(lines.every((l) => !l.includes(PASSWORD)));
  });

  it("debug names the exception and a hint: no such client, a wrong secret, and every login failing the same way", async () => {
    const rec = recorder();
    const unknownClient = warrantFor(env, { ...rec.options, clientId: "no-such-client-id" });
    await unknownClient.authenticate("someone@example.com", PASSWORD).catch(() => {});
    assert.ok(
      rec.lines.some(
        (l) => /ResourceNotFoundException/.test(l) && l.includes("no such client: check clientId"),
      ),
      rec.lines.join("\n"),
    );

    const secretRec = recorder();
    const wrongSecret = warrantFor(env, {
      ...secretRec.options,
      clientId: env.pool.secretClientId,
      clientSecret: "not-the-client-secret",
    });
    await wrongSecret.authenticate("someone@example.com", PASSWORD).catch(() => {});
    assert.ok(
      secretRec.lines.some((l) => l.includes("secret hash mismatch: check clientSecret")),
      secretRec.lines.join("\n"),
    );

    const streakRec = recorder();
    const streak = warrantFor(env, streakRec.options);
    for (let i = 0; i < 5; i++) await streak.authenticate(`nobody-${i}@example.com`, WRONG_PASSWORD);
    const hint = streakRec.lines.filter((l) => l.includes("wrong pool id or region?"));
    assert.equal(hint.length, 1, streakRec.lines.join("\n"));
    assert.match(hint[0]!, /every login so far failed the same way \(5 × \w+Exception\)/);

    const closedRec = recorder();
    const closed = warrantFor(env, {
      ...closedRec.options,
      endpoint: "http://127.0.0.1:9",
      cognitoTimeout: 1000,
    });
    await closed.authenticate("someone@example.com", PASSWORD).catch(() => {});
    assert.ok(closedRec.lines.some((l) => l.includes("ECONNREFUSED") && l.includes("check endpoint")));
  });

  it("is quiet by default: warn and above, so a run of good logins writes nothing", async () => {
    const name = email("events-quiet");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const console_ = watchConsole();
    try {
      const client = new Client(warrantFor(env).handler);
      assert.equal(
        (await client.json("/accounts/login", { username: name, password: PASSWORD })).status,
        200,
      );
      assert.equal((await client.json("/accounts/logout", {})).status, 200);
    } finally {
      console_.restore();
    }
    assert.deepEqual(console_.seen, []);
  });

  it("E2: every flow, logged at debug with every event recorded, leaks no password, code, token, cookie or secret", async () => {
    const rec = recorder();
    const clock = fakeClock();
    const storage = createStorage();
    const warrant = warrantFor(env, { ...rec.options, storage, now: clock.now });
    const planted = new Set<string>([PASSWORD, NEW_PASSWORD, WRONG_PASSWORD, TEST_CODE, SECRET]);
    const console_ = watchConsole();
    const keep = async (client: Client) => {
      for (const value of client.jar.values()) planted.add(value);
      const session = await warrant.getSession(
        new Request("http://localhost/", { headers: { cookie: client.cookieHeader } }),
      );
      if (!session) return;
      const tokens = await session.tokens();
      planted.add(tokens.accessToken).add(tokens.idToken).add(tokens.refreshToken);
    };
    try {
      // Sign-up, confirmation (signed in), logout.
      const name = email("events-e2");
      const client = new Client(warrant.handler);
      const page = await (await client.get("/accounts/signup")).text();
      const signUp = await client.form("/accounts/signup", {
        csrf: csrfOf(page),
        email: name,
        password: PASSWORD,
        confirmPassword: PASSWORD,
      });
      assert.equal(signUp.status, 303);
      for (const value of client.jar.values()) planted.add(value);
      const confirmPage = await (await client.get(signUp.headers.get("location")!)).text();
      const confirmed = await client.form("/accounts/signup/confirm", {
        csrf: csrfOf(confirmPage),
        username: name,
        code: TEST_CODE,
        password: PASSWORD,
      });
      assert.equal(confirmed.status, 303);
      await keep(client);
      assert.equal((await client.json("/accounts/logout", {})).status, 200);
      // A wrong password, then the right one on two devices; a refresh; a password change on one.
      assert.equal((await client.login(name, WRONG_PASSWORD)).status, 401);
      assert.equal((await client.login(name, PASSWORD)).status, 303);
      const phone = new Client(warrant.handler);
      assert.equal((await phone.login(name, PASSWORD)).status, 303);
      await keep(client);
      await keep(phone);
      clock.advance(24 * 3600_000 - 30_000);
      assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
      await keep(client);
      const changePage = await (await client.get("/accounts/password/change")).text();
      const changed = await client.form("/accounts/password/change", {
        csrf: csrfOf(changePage),
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        confirmPassword: NEW_PASSWORD,
      });
      assert.equal(changed.status, 303);
      await keep(client);
      // Forgot and reset, back to the first password: signed in, every older session ended.
      const other = new Client(warrant.handler);
      const forgot = await other.submit("/accounts/password/forgot", "/accounts/password/forgot", {
        username: name,
      });
      const resetPage = await (await other.get(forgot.headers.get("location")!)).text();
      const reset = await other.form("/accounts/password/reset", {
        csrf: csrfOf(resetPage),
        username: name,
        code: TEST_CODE,
        newPassword: PASSWORD,
        confirmPassword: PASSWORD,
      });
      assert.equal(reset.status, 303);
      await keep(other);
      // A TOTP challenge, answered.
      const mfa = email("events-e2-mfa");
      await env.pool.createUser({ email: mfa, password: PASSWORD });
      const secret = await enrolTotp(env.pool, mfa, PASSWORD);
      planted.add(secret);
      const mfaClient = new Client(warrant.handler);
      const asked = await mfaClient.json("/accounts/login", { username: mfa, password: PASSWORD });
      assert.ok(((await asked.json()) as { challenge?: unknown }).challenge);
      for (const value of mfaClient.jar.values()) planted.add(value);
      const code = totp(secret);
      planted.add(code);
      assert.equal((await mfaClient.json("/accounts/login/challenge", { code })).status, 200);
      await keep(mfaClient);
      // The idle timeout ends a session.
      clock.advance(86_400_000 + 1000);
      assert.equal((await mfaClient.get("/accounts/session", { accept: "application/json" })).status, 401);
    } finally {
      console_.restore();
    }

    const reasons = rec.of("sessionEnd").map((e) => e.reason);
    for (const reason of ["logout", "password_change", "password_reset", "expired"]) {
      assert.ok(reasons.includes(reason), `sessionEnd ${reason} in ${reasons}`);
    }
    assert.deepEqual(
      rec.of("passwordChange").map((e) => e.reason),
      ["change", "reset"],
    );
    assert.equal(rec.of("signUp").length, 1);
    assert.deepEqual(
      rec.of("challenge").map((e) => e.challenge),
      ["SOFTWARE_TOKEN_MFA"],
    );
    assert.ok(rec.of("login").length >= 5);
    assert.ok(
      rec.lines.some((l) => l.startsWith("debug Cognito failed the login")),
      "debug lines were written",
    );

    const written = [...rec.lines, ...console_.seen, JSON.stringify(rec.events)].join("\n");
    assert.ok(planted.size > 15, `${planted.size} planted values`);
    for (const value of planted) {
      assert.ok(
        value.length >= 6 && !written.includes(value),
        `a planted value (${value.slice(0, 4)}…) was written`,
      );
    }
    assert.doesNotMatch(written, JWT);
  });
});
