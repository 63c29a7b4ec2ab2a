/**
 * SRP logins and login challenges (issue 5) against cognito-local, with the SRP responder in front of
 * it. EMAIL_OTP and MFA_SETUP are FAKE Cognito answers: cognito-local has neither. SMS_MFA is in
 * challenges-sms.test.ts (it needs a cognito-local of its own).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminCreateUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage } from "unstorage";
import { challengeAttempts, type PublicChallenge, type RespondResult, WarrantError } from "../../src/mod.ts";
import { enrolTotp, fakeChallengeAfterPassword, totp, wrongTotp } from "../support/challenges.ts";
import { createEnv, dump, type Env, email, fakeClock, PASSWORD, warrantFor } from "../support/setup.ts";
import { attachSrpResponder } from "../support/srp-responder.ts";

/** The challenge of a result that must be one. */
function challengeOf(result: RespondResult): PublicChallenge {
  assert.equal(result.ok, false);
  assert.ok("challenge" in result, `expected a challenge, got ${JSON.stringify(result)}`);
  return result.challenge;
}

describe("USER_SRP_AUTH", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("logs in through the responder with a client secret, SECRET_HASH on both calls", async () => {
    const name = email("srp-secret");
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    try {
      await responder.addUser(name, PASSWORD);
      const warrant = warrantFor(env, {
        authFlow: "USER_SRP_AUTH",
        clientId: env.pool.secretClientId,
        clientSecret: env.pool.clientSecret,
      });
      env.front.resetCalls();
      const result = await warrant.authenticate(name, PASSWORD);
      assert.equal(result.ok, true);
      if (result.ok) assert.equal(result.user.username, username);
      // The front checks each SECRET_HASH: with the typed name first, then with USER_ID_FOR_SRP.
      assert.ok(env.front.requests("InitiateAuth")[0].AuthParameters.SECRET_HASH);
      const answer = env.front.requests("RespondToAuthChallenge")[0];
      assert.equal(answer.ChallengeResponses.USERNAME, username);
      assert.ok(answer.ChallengeResponses.SECRET_HASH);
      assert.equal("DEVICE_KEY" in answer.ChallengeResponses, false);
    } finally {
      responder.detach();
    }
  });

  it("sends DEVICE_KEY when the caller gives one", async () => {
    const name = email("srp-device");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    try {
      await responder.addUser(name, PASSWORD);
      const warrant = warrantFor(env, { authFlow: "USER_SRP_AUTH" });
      env.front.resetCalls();
      const result = await warrant.authenticate(name, PASSWORD, { deviceKey: "local_device-1" });
      assert.equal(result.ok, true);
      assert.equal(env.front.requests("InitiateAuth")[0].AuthParameters.DEVICE_KEY, "local_device-1");
      assert.equal(
        env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses.DEVICE_KEY,
        "local_device-1",
      );
    } finally {
      responder.detach();
    }
  });

  it("FAKE Cognito sending B = 0: stops with srp_failed before any proof is sent, no secrets in the message", async () => {
    const warrant = warrantFor(env, { authFlow: "USER_SRP_AUTH" });
    env.front.intercept("InitiateAuth", async () => ({
      status: 200,
      body: {
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeParameters: {
          SALT: "abcd",
          SRP_B: "0",
          SECRET_BLOCK: "AAAA",
          USER_ID_FOR_SRP: "u",
          USERNAME: "u",
        },
      },
    }));
    try {
      env.front.resetCalls();
      await assert.rejects(warrant.authenticate("a@example.com", PASSWORD), (error: unknown) => {
        assert.ok(error instanceof WarrantError);
        assert.equal(error.code, "srp_failed");
        assert.equal(error.status, 502);
        assert.ok(!error.message.includes(PASSWORD));
        return true;
      });
      assert.equal(env.front.calls("RespondToAuthChallenge"), 0);
    } finally {
      env.front.intercept("InitiateAuth", undefined);
    }
  });
});

describe("NEW_PASSWORD_REQUIRED", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  /** A user made by an administrator with a temporary password: FORCE_CHANGE_PASSWORD. */
  const invited = async () => {
    const name = email("invited");
    // cognito-local: pools sign in by email, so AdminCreateUser by email makes the Cognito username a new sub.
    await env.pool.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: env.pool.userPoolId,
        Username: name,
        TemporaryPassword: "Temp-0rary!",
        MessageAction: "SUPPRESS",
      }),
    );
    return name;
  };

  it("asks for a new password and logs in with it; the next login uses it", async () => {
    const name = await invited();
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const first = await warrant.authenticate(name, "Temp-0rary!");
    const challenge = challengeOf(first);
    assert.equal(challenge.name, "NEW_PASSWORD_REQUIRED");
    // S6: the Cognito Session stays in storage; the caller sees an opaque id only.
    assert.equal("session" in challenge, false);
    const keys = await storage.getKeys();
    assert.deepEqual(
      keys.map((k) => k.split(":")[0]),
      ["challenges"],
    );
    assert.ok(!keys[0]!.includes(challenge.id));

    const newPassword = "N3w-Password! ";
    const done = await warrant.respond(challenge.id, { newPassword });
    assert.equal(done.ok, true);
    if (done.ok) assert.equal(done.user.email, name);
    assert.equal((await storage.getKeys("challenges")).length, 0);
    assert.equal((await warrant.authenticate(name, newPassword)).ok, true);
  });

  it("refuses an empty or over-long new password without calling Cognito, and keeps the id", async () => {
    const name = await invited();
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, "Temp-0rary!"));
    env.front.resetCalls();
    for (const answer of [{ newPassword: "" }, { newPassword: "p".repeat(257) }, { code: "123456" }, {}]) {
      const result = await warrant.respond(challenge.id, answer as never);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.reason, "invalid_answer");
    }
    assert.equal(env.front.calls(), 0);
    assert.equal((await warrant.respond(challenge.id, { newPassword: "An0ther-Pass!" })).ok, true);
  });

  it("FAKE requiredAttributes (cognito-local always sends []): required attributes are checked and sent", async () => {
    const name = await invited();
    env.front.intercept("InitiateAuth", async (body, forward) => {
      const real = await forward(body);
      if (real.body.ChallengeName === "NEW_PASSWORD_REQUIRED")
        real.body.ChallengeParameters.requiredAttributes = '["userAttributes.given_name"]';
      return real;
    });
    try {
      const warrant = warrantFor(env);
      const challenge = challengeOf(await warrant.authenticate(name, "Temp-0rary!"));
      env.front.resetCalls();
      const missing = await warrant.respond(challenge.id, { newPassword: "N3w-Password!" });
      assert.equal(!missing.ok && missing.reason, "invalid_answer");
      assert.deepEqual(!missing.ok && "issues" in missing && missing.issues, [
        "attributes.given_name is required",
      ]);
      const other = await warrant.respond(challenge.id, {
        newPassword: "N3w-Password!",
        attributes: { given_name: "Ada", "custom:role": "admin" },
      });
      assert.equal(!other.ok && other.reason, "invalid_answer");
      assert.equal(env.front.calls(), 0);
      const done = await warrant.respond(challenge.id, {
        newPassword: "N3w-Password!",
        attributes: { given_name: "Ada" },
      });
      assert.equal(done.ok, true);
      const sent = env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses;
      assert.equal(sent["userAttributes.given_name"], "Ada");
      assert.equal(sent.NEW_PASSWORD, "N3w-Password!");
    } finally {
      env.front.intercept("InitiateAuth", undefined);
    }
  });
});

describe("SOFTWARE_TOKEN_MFA and SELECT_MFA_TYPE", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  const totpUser = async (label: string, preference: { sms?: boolean } = {}) => {
    const name = email(label);
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const secret = await enrolTotp(env.pool, name, PASSWORD, preference);
    return { name, username, secret };
  };

  it("asks a TOTP user for a code and logs in with the right one", async () => {
    const { name, username, secret } = await totpUser("totp");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    assert.equal(challenge.name, "SOFTWARE_TOKEN_MFA");
    assert.equal(challenge.username, username);
    const done = await warrant.respond(challenge.id, { code: totp(secret) });
    assert.equal(done.ok, true);
    if (done.ok) assert.equal(done.user.username, username);
  });

  it("logs a TOTP user in over USER_SRP_AUTH with a client secret (SECRET_HASH on the answer)", async () => {
    const { name, secret } = await totpUser("totp-srp");
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    try {
      await responder.addUser(name, PASSWORD);
      const warrant = warrantFor(env, {
        authFlow: "USER_SRP_AUTH",
        clientId: env.pool.secretClientId,
        clientSecret: env.pool.clientSecret,
      });
      const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
      assert.equal(challenge.name, "SOFTWARE_TOKEN_MFA");
      env.front.resetCalls();
      assert.equal((await warrant.respond(challenge.id, { code: totp(secret) })).ok, true);
      assert.ok(env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses.SECRET_HASH);
    } finally {
      responder.detach();
    }
  });

  it("refuses a replayed challenge id: no second Cognito call, no tokens", async () => {
    const { name, secret } = await totpUser("replay");
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    const code = totp(secret);
    assert.equal((await warrant.respond(challenge.id, { code })).ok, true);
    env.front.resetCalls();
    assert.deepEqual(await warrant.respond(challenge.id, { code }), {
      ok: false,
      reason: "challenge_expired",
    });
    assert.equal(env.front.calls(), 0);
    assert.deepEqual(await storage.getKeys("sessions"), []);
    assert.deepEqual(await storage.getKeys("challenges"), []);
  });

  it("refuses two answers racing on one id: exactly one reaches Cognito", async () => {
    const { name, secret } = await totpUser("race");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    env.front.resetCalls();
    const code = totp(secret);
    const results = await Promise.all([
      warrant.respond(challenge.id, { code }),
      warrant.respond(challenge.id, { code }),
    ]);
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.equal(env.front.calls("RespondToAuthChallenge"), 1);
  });

  it("refuses an expired challenge (fake clock past 180 s) without calling Cognito", async () => {
    const { name, secret } = await totpUser("expired");
    const clock = fakeClock();
    const storage = createStorage();
    const warrant = warrantFor(env, { storage, now: clock.now });
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    clock.advance(180_000);
    env.front.resetCalls();
    assert.deepEqual(await warrant.respond(challenge.id, { code: totp(secret) }), {
      ok: false,
      reason: "challenge_expired",
    });
    assert.equal(env.front.calls(), 0);
    assert.deepEqual(await storage.getKeys("challenges"), []);
  });

  it("refuses a malformed code with zero Cognito calls, and the id still works", async () => {
    const { name, secret } = await totpUser("format");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    env.front.resetCalls();
    for (const code of ["12345", "1234567", "12a456", " 123456", "", "１２３４５６"]) {
      const result = await warrant.respond(challenge.id, { code });
      assert.equal(!result.ok && result.reason, "invalid_answer", code);
      if (!result.ok && "issues" in result) assert.deepEqual(result.issues, ["code must be 6 digits"]);
      if (!result.ok && "challenge" in result) assert.equal(result.challenge.id, challenge.id);
    }
    for (const junk of [null, "123456", { code: 123456 }, { code: "123456", extra: 1 }]) {
      const result = await warrant.respond(challenge.id, junk as never);
      assert.equal(!result.ok && result.reason, "invalid_answer");
    }
    assert.deepEqual(await warrant.respond("../x", { code: "123456" }), {
      ok: false,
      reason: "challenge_expired",
    });
    assert.equal(env.front.calls(), 0);
    assert.equal((await warrant.respond(challenge.id, { code: totp(secret) })).ok, true);
  });

  it("answers a wrong code with invalid_code and a new id; the old id is spent; the right code then works", async () => {
    const { name, secret } = await totpUser("wrong");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    const wrong = await warrant.respond(challenge.id, { code: wrongTotp(secret) });
    assert.equal(!wrong.ok && wrong.reason, "invalid_code");
    assert.equal(!wrong.ok && "attemptsLeft" in wrong && wrong.attemptsLeft, challengeAttempts - 1);
    const next = challengeOf(wrong);
    assert.notEqual(next.id, challenge.id);
    assert.equal(next.name, "SOFTWARE_TOKEN_MFA");
    assert.deepEqual(await warrant.respond(challenge.id, { code: totp(secret) }), {
      ok: false,
      reason: "challenge_expired",
    });
    // Cognito sends no new Session with CodeMismatchException; the stored one is retried. Real Cognito
    // accepts it for a few retries; cognito-local does not check the Session at all.
    assert.equal((await warrant.respond(next.id, { code: totp(secret) })).ok, true);
  });

  it(`gives up after ${challengeAttempts} wrong codes: too_many_attempts, then the challenge is gone`, async () => {
    const { name, secret } = await totpUser("attempts");
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    let id = challengeOf(await warrant.authenticate(name, PASSWORD)).id;
    env.front.resetCalls();
    for (let i = 1; i < challengeAttempts; i++) {
      const result = await warrant.respond(id, { code: wrongTotp(secret) });
      assert.equal(!result.ok && result.reason, "invalid_code");
      id = challengeOf(result).id;
    }
    assert.deepEqual(await warrant.respond(id, { code: wrongTotp(secret) }), {
      ok: false,
      reason: "too_many_attempts",
    });
    assert.equal(env.front.calls("RespondToAuthChallenge"), challengeAttempts);
    assert.deepEqual(await warrant.respond(id, { code: totp(secret) }), {
      ok: false,
      reason: "challenge_expired",
    });
    assert.equal(env.front.calls("RespondToAuthChallenge"), challengeAttempts);
    assert.deepEqual(await storage.getKeys("challenges"), []);
  });

  it("FAKE NotAuthorizedException on the answer (Cognito's session ended): challenge_expired, the id is spent", async () => {
    const { name, secret } = await totpUser("cognito-expired");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    env.front.fakeFault("RespondToAuthChallenge", {
      kind: "error",
      status: 400,
      type: "NotAuthorizedException",
      message: "Invalid session for the user, session is expired.",
    });
    assert.deepEqual(await warrant.respond(challenge.id, { code: totp(secret) }), {
      ok: false,
      reason: "challenge_expired",
    });
    assert.deepEqual(await warrant.respond(challenge.id, { code: totp(secret) }), {
      ok: false,
      reason: "challenge_expired",
    });
  });

  it("FAKE 5xx on the answer: sent once, never retried (E5), a WarrantError without Cognito's message", async () => {
    const { name, secret } = await totpUser("answer-5xx");
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
    env.front.resetCalls();
    // One fault only: a retry would succeed, so the rejection itself shows there was none.
    env.front.fakeFault(
      "RespondToAuthChallenge",
      { kind: "error", status: 503, type: "InternalErrorException", message: "arn:aws:cognito-idp:secret" },
      1,
    );
    await assert.rejects(warrant.respond(challenge.id, { code: totp(secret) }), (error: unknown) => {
      assert.ok(error instanceof WarrantError);
      assert.equal(error.code, "cognito_unavailable");
      assert.ok(!error.message.includes("arn:aws"));
      return true;
    });
    assert.equal(env.front.calls("RespondToAuthChallenge"), 1);
  });

  it("SELECT_MFA_TYPE: offers the user's methods, validates the choice, then asks for the TOTP code", async () => {
    const { name, secret } = await totpUser("select", { sms: true });
    const warrant = warrantFor(env);
    const select = challengeOf(await warrant.authenticate(name, PASSWORD));
    assert.equal(select.name, "SELECT_MFA_TYPE");
    assert.deepEqual(JSON.parse(select.parameters.MFAS_CAN_CHOOSE!), ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]);
    env.front.resetCalls();
    const bad = await warrant.respond(select.id, { mfaType: "EMAIL_OTP" });
    assert.equal(!bad.ok && bad.reason, "invalid_answer");
    assert.equal(env.front.calls(), 0);
    const code = challengeOf(await warrant.respond(select.id, { mfaType: "SOFTWARE_TOKEN_MFA" }));
    assert.equal(code.name, "SOFTWARE_TOKEN_MFA");
    assert.notEqual(code.id, select.id);
    assert.equal(
      env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses.ANSWER,
      "SOFTWARE_TOKEN_MFA",
    );
    assert.equal((await warrant.respond(code.id, { code: totp(secret) })).ok, true);
  });
});

describe("FAKE Cognito challenges cognito-local lacks", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("FAKE CUSTOM_CHALLENGE: a challenge the library cannot answer throws unsupported_challenge, nothing stored", async () => {
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    env.front.intercept("InitiateAuth", async () => ({
      status: 200,
      body: { ChallengeName: "CUSTOM_CHALLENGE", ChallengeParameters: { USERNAME: "u" }, Session: "FAKE-s" },
    }));
    try {
      await assert.rejects(
        warrant.authenticate("a@example.com", PASSWORD),
        (e: unknown) => e instanceof WarrantError && e.code === "unsupported_challenge",
      );
      assert.deepEqual(await storage.getKeys(), []);
    } finally {
      env.front.intercept("InitiateAuth", undefined);
    }
  });

  it("EMAIL_OTP (FAKE Cognito): a wrong code, then the right 8-digit code logs in", async () => {
    const name = email("email-otp");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const fake = fakeChallengeAfterPassword(env.front, "EMAIL_OTP", { emailCode: "12345678" });
    try {
      const storage = createStorage();
      const warrant = warrantFor(env, { storage });
      const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
      assert.equal(challenge.name, "EMAIL_OTP");
      assert.equal(challenge.parameters.CODE_DELIVERY_DESTINATION, "a***@e***");
      const wrong = await warrant.respond(challenge.id, { code: "87654321" });
      assert.equal(!wrong.ok && wrong.reason, "invalid_code");
      const done = await warrant.respond(challengeOf(wrong).id, { code: "12345678" });
      assert.equal(done.ok, true);
      // The FAKE Cognito Sessions never left the store, and none is left behind.
      const everything = JSON.stringify([challenge, wrong, done]);
      for (const session of fake.sessions) assert.ok(!everything.includes(session));
      assert.deepEqual(
        Object.keys(await dump(storage)).filter((k) => k.startsWith("challenges")),
        [],
      );
    } finally {
      fake.detach();
    }
  });

  it("MFA_SETUP (FAKE Cognito): enrols TOTP with an otpauth URI, refuses a wrong code, then finishes the login", async () => {
    const name = email("mfa-setup");
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const fake = fakeChallengeAfterPassword(env.front, "MFA_SETUP");
    try {
      const warrant = warrantFor(env, { totpIssuer: "Example Shop" });
      env.front.resetCalls();
      const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
      assert.equal(challenge.name, "MFA_SETUP");
      assert.equal(env.front.calls("AssociateSoftwareToken"), 1);
      assert.equal(challenge.totp?.secret, fake.secret);
      const uri = new URL(challenge.totp!.uri);
      assert.equal(uri.protocol, "otpauth:");
      assert.equal(uri.host, "totp");
      assert.equal(decodeURIComponent(uri.pathname), `/Example Shop:${name}`);
      assert.ok(challenge.totp!.uri.startsWith(`otpauth://totp/Example%20Shop:${encodeURIComponent(name)}?`));
      assert.equal(uri.searchParams.get("secret"), fake.secret);
      assert.equal(uri.searchParams.get("issuer"), "Example Shop");

      const wrong = await warrant.respond(challenge.id, { code: wrongTotp(fake.secret) });
      assert.equal(!wrong.ok && wrong.reason, "invalid_code");
      const again = challengeOf(wrong);
      assert.equal(again.totp?.secret, fake.secret);
      const done = await warrant.respond(again.id, { code: totp(fake.secret) });
      assert.equal(done.ok, true);
      if (done.ok) assert.equal(done.user.username, username);
      const finish = env.front.requests("RespondToAuthChallenge").at(-1);
      assert.equal(finish.ChallengeName, "MFA_SETUP");
      assert.equal(finish.ChallengeResponses.USERNAME, username);
      const everything = JSON.stringify([challenge, wrong, done]);
      for (const session of fake.sessions) assert.ok(!everything.includes(session));
    } finally {
      fake.detach();
    }
  });

  it("keeps a pending challenge sealed in storage: no Cognito session, no TOTP secret in the clear (FAKE MFA_SETUP)", async () => {
    const name = email("sealed");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const fake = fakeChallengeAfterPassword(env.front, "MFA_SETUP");
    const storage = createStorage();
    try {
      const warrant = warrantFor(env, { storage });
      const challenge = challengeOf(await warrant.authenticate(name, PASSWORD));
      const raw = await dump(storage);
      const keys = Object.keys(raw).filter((k) => k.startsWith("challenges:"));
      assert.equal(keys.length, 1);
      const stored = raw[keys[0]!]!;
      for (const session of fake.sessions)
        assert.ok(!stored.includes(session), "Cognito session in the clear");
      assert.ok(!stored.includes(fake.secret), "TOTP secret in the clear");
      assert.ok(!stored.includes("MFA_SETUP"));
      // unstorage's memory driver keeps no TTL: the value is inside the store's expiry envelope.
      const parsed = JSON.parse(stored);
      assert.deepEqual(Object.keys(parsed["~v"] ?? parsed).sort(), ["ct", "iv", "k"]);
      // Sealed to its own key: moved under another challenge's key, it does not open.
      const other = challengeOf(await warrant.authenticate(name, PASSWORD));
      const otherKey = Object.keys(await dump(storage)).find(
        (k) => k.startsWith("challenges:") && k !== keys[0],
      )!;
      await storage.setItem(otherKey, JSON.parse(stored));
      assert.equal(await warrant.pendingChallenge(other.id), null);
      assert.ok(await warrant.pendingChallenge(challenge.id));
    } finally {
      fake.detach();
    }
  });
});
