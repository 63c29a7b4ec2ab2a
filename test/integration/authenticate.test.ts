/**
 * The seed's promises (django-warrant's backend tests), against cognito-local instead of mocks.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createStorage } from "unstorage";
import * as v from "valibot";
import { WarrantError } from "../../src/mod.ts";
import { setAttributes } from "../support/cognito-local.ts";
import { createEnv, dump, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";
import { attachSrpResponder } from "../support/srp-responder.ts";

describe("authenticate (the backend)", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("logs a user in and returns the mapped user and the three tokens", async () => {
    const name = email("login");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Ada", family_name: "Lovelace" },
    });
    const warrant = warrantFor(env);
    const result = await warrant.authenticate(name, PASSWORD);
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.user.username, username);
    assert.equal(result.user.sub, username);
    assert.equal(result.user.email, name);
    assert.equal(result.user.first_name, "Ada");
    assert.equal(result.user.last_name, "Lovelace");
    assert.match(result.tokens.accessToken, /^eyJ/);
    assert.match(result.tokens.idToken, /^eyJ/);
    assert.ok(result.tokens.refreshToken.length > 10);
    assert.ok(result.tokens.expiresAt > Date.now());
  });

  it("answers a wrong password with invalid_credentials", async () => {
    const name = email("wrong");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env);
    // cognito-local answers InvalidPasswordException here; real Cognito answers NotAuthorizedException.
    assert.deepEqual(await warrant.authenticate(name, `${PASSWORD}x`), {
      ok: false,
      reason: "invalid_credentials",
    });
  });

  it("answers an unknown user with invalid_credentials", async () => {
    const warrant = warrantFor(env);
    assert.deepEqual(await warrant.authenticate(email("nobody"), PASSWORD), {
      ok: false,
      reason: "invalid_credentials",
    });
  });

  it("refuses empty and over-long input before calling Cognito", async () => {
    const warrant = warrantFor(env);
    env.front.resetCalls();
    assert.equal((await warrant.authenticate("", PASSWORD)).ok, false);
    assert.equal((await warrant.authenticate("a@example.com", "")).ok, false);
    assert.equal((await warrant.authenticate("a".repeat(129), PASSWORD)).ok, false);
    assert.equal((await warrant.authenticate("a@example.com", "p".repeat(257))).ok, false);
    assert.equal(env.front.calls(), 0);
  });

  it("passes the password through untouched (no trim, no case change)", async () => {
    const name = email("untouched");
    const password = `${"Aa1!".repeat(16)} `; // 65 characters with a trailing space
    await env.pool.createUser({ email: name, password });
    const warrant = warrantFor(env);
    env.front.resetCalls();
    const result = await warrant.authenticate(name, password);
    assert.equal(result.ok, true);
    assert.equal(env.front.requests("InitiateAuth")[0].AuthParameters.PASSWORD, password);
  });

  it("throws any other Cognito error as a WarrantError with its code and no secrets", async () => {
    const name = email("other");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, { clientId: "no-such-client" });
    await assert.rejects(warrant.authenticate(name, PASSWORD), (error: unknown) => {
      assert.ok(error instanceof WarrantError);
      assert.equal(error.code, "cognito_rejected");
      assert.equal(error.cognitoCode, "ResourceNotFoundException");
      assert.ok(error.cause);
      assert.ok(!error.message.includes(PASSWORD));
      assert.ok(!error.message.includes(name));
      return true;
    });
  });

  it("reports an unconfirmed user as user_not_confirmed", async () => {
    const name = email("unconfirmed");
    const { SignUpCommand } = await import("@aws-sdk/client-cognito-identity-provider");
    await env.pool.admin.send(
      new SignUpCommand({
        ClientId: env.pool.clientId,
        Username: name,
        Password: PASSWORD,
        UserAttributes: [{ Name: "email", Value: name }],
      }),
    );
    const warrant = warrantFor(env);
    assert.deepEqual(await warrant.authenticate(name, PASSWORD), { ok: false, reason: "user_not_confirmed" });
  });

  it("creates exactly one local user on first login", async () => {
    const storage = createStorage();
    const name = email("first");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Grace" },
    });
    const warrant = warrantFor(env, { storage });
    const before = (await storage.getKeys("users")).length;
    const result = await warrant.authenticate(name, PASSWORD);
    assert.equal(result.ok, true);
    const keys = await storage.getKeys("users");
    assert.equal(keys.length, before + 1);
    const record = (await storage.getItem(`users:${username}`)) as Record<string, unknown>;
    assert.equal(record.username, username);
    assert.equal(record.sub, username);
    assert.equal(record.email, name);
    assert.equal(record.first_name, "Grace");
    assert.equal(typeof record.createdAt, "number");
    assert.equal(record.createdAt, record.updatedAt);
    assert.equal(record.lastLoginAt, record.createdAt);
  });

  it("updates the same local record on a later login (same createdAt, new email), without a second one", async () => {
    const storage = createStorage();
    let now = Date.now();
    const name = email("later");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Old" },
    });
    const warrant = warrantFor(env, { storage, now: () => now });
    assert.equal((await warrant.authenticate(name, PASSWORD)).ok, true);
    const first = (await storage.getItem(`users:${username}`)) as Record<string, unknown>;
    const newEmail = email("renamed");
    // A verified change (an admin's); an unverified one is not mirrored (C8, hostile-input.test.ts).
    await setAttributes(env.pool, username, { email: newEmail, email_verified: "true", given_name: "New" });
    now += 5000;
    // cognito-local signs in by the email attribute, so the changed email is the new login name.
    assert.equal((await warrant.authenticate(newEmail, PASSWORD)).ok, true);
    const second = (await storage.getItem(`users:${username}`)) as Record<string, unknown>;
    assert.equal((await storage.getKeys("users")).length, 1);
    assert.equal(second.createdAt, first.createdAt);
    assert.equal(second.email, newEmail);
    assert.equal(second.first_name, "New");
    assert.equal(second.updatedAt, (first.updatedAt as number) + 5000);
    assert.equal(second.lastLoginAt, second.updatedAt);
  });

  it("with createUnknownUsers: false, updates an existing user and refuses an unknown one", async () => {
    const storage = createStorage();
    const known = email("known");
    const knownName = await env.pool.createUser({
      email: known,
      password: PASSWORD,
      attributes: { given_name: "Known" },
    });
    const stranger = email("stranger");
    const strangerName = await env.pool.createUser({ email: stranger, password: PASSWORD });
    await storage.setItem(`users:${knownName}`, {
      username: knownName,
      sub: knownName,
      first_name: "Stale",
      createdAt: 1,
      updatedAt: 1,
      lastLoginAt: 1,
    });
    const warrant = warrantFor(env, { storage, createUnknownUsers: false });

    const ok = await warrant.authenticate(known, PASSWORD);
    assert.equal(ok.ok, true);
    const record = (await storage.getItem(`users:${knownName}`)) as Record<string, unknown>;
    assert.equal(record.first_name, "Known");
    assert.equal(record.createdAt, 1);

    env.front.resetCalls();
    assert.deepEqual(await warrant.authenticate(stranger, PASSWORD), { ok: false, reason: "unknown_user" });
    assert.equal(await storage.getItem(`users:${strangerName}`), null);
    assert.deepEqual(await storage.getKeys("sessions"), []);
    // The refresh token Cognito handed out for the refused user is revoked (on the side), not left alive.
    for (let i = 0; i < 100 && env.front.calls("RevokeToken") === 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(env.front.calls("RevokeToken"), 1);
    // Regression (issue 10 item 15): a right password for a refused account costs no more Cognito calls
    // than a wrong one, so the two answer alike in time: no GetUser before the refusal.
    assert.equal(env.front.calls("GetUser"), 0);
  });

  it("returns mapped attributes outside userSchema on the user but does not store them", async () => {
    const storage = createStorage();
    const name = email("extra");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Ext", "custom:plan": "gold" },
    });
    const warrant = warrantFor(env, {
      storage,
      attributeMapping: { email: "email", given_name: "first_name", "custom:plan": "plan" },
      userSchema: v.object({ email: v.pipe(v.string(), v.email()), first_name: v.optional(v.string()) }),
    });
    const result = await warrant.authenticate(name, PASSWORD);
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.user.plan, "gold");
    const record = (await storage.getItem(`users:${username}`)) as Record<string, unknown>;
    assert.equal(record.first_name, "Ext");
    assert.equal("plan" in record, false);
  });

  it("refuses a record that fails userSchema with a clear error and stores nothing", async () => {
    const storage = createStorage();
    const name = email("invalid");
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, {
      storage,
      userSchema: v.object({ email: v.string(), first_name: v.pipe(v.string(), v.minLength(1)) }),
    });
    await assert.rejects(warrant.authenticate(name, PASSWORD), (error: unknown) => {
      assert.ok(error instanceof WarrantError);
      assert.equal(error.code, "user_record_invalid");
      assert.match(error.message, /first_name/);
      assert.ok(!error.message.includes(name));
      return true;
    });
    assert.equal(await storage.getItem(`users:${username}`), null);
    assert.deepEqual(await dump(storage), {});
  });

  it("logs in through ADMIN_USER_PASSWORD_AUTH with credentials", async () => {
    const name = email("admin-flow");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, { authFlow: "ADMIN_USER_PASSWORD_AUTH" });
    env.front.resetCalls();
    const result = await warrant.authenticate(name, PASSWORD);
    assert.equal(result.ok, true);
    assert.equal(env.front.calls("AdminInitiateAuth"), 1);
    assert.deepEqual(await warrant.authenticate(name, "wrong-Password1"), {
      ok: false,
      reason: "invalid_credentials",
    });
  });

  it("logs in with USER_SRP_AUTH through the SRP responder, never sending the password", async () => {
    const name = email("srp");
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    try {
      await responder.addUser(name, PASSWORD);
      const warrant = warrantFor(env, { authFlow: "USER_SRP_AUTH" });
      env.front.resetCalls();
      const result = await warrant.authenticate(name, PASSWORD);
      assert.equal(result.ok, true);
      if (!result.ok) return;
      assert.equal(result.user.username, username);
      assert.equal(responder.stats.passed, 1);
      assert.equal(env.front.requests("InitiateAuth")[0].AuthFlow, "USER_SRP_AUTH");
      assert.ok(!JSON.stringify(env.front.requests("InitiateAuth")).includes(PASSWORD));
      assert.ok(!JSON.stringify(env.front.requests("RespondToAuthChallenge")).includes(PASSWORD));
      assert.deepEqual(await warrant.authenticate(name, `${PASSWORD}x`), {
        ok: false,
        reason: "invalid_credentials",
      });
    } finally {
      responder.detach();
    }
  });
});

describe("client secrets", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("logs in with a client that has a secret, sending SECRET_HASH", async () => {
    const name = email("secret");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, {
      clientId: env.pool.secretClientId,
      clientSecret: env.pool.clientSecret,
    });
    env.front.resetCalls();
    const result = await warrant.authenticate(name, PASSWORD);
    assert.equal(result.ok, true);
    assert.match(env.front.requests("InitiateAuth")[0].AuthParameters.SECRET_HASH, /^[A-Za-z0-9+/]+=*$/);
  });

  it("fails loudly when the client has a secret and none is configured", async () => {
    const name = email("nosecret");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, { clientId: env.pool.secretClientId });
    await assert.rejects(warrant.authenticate(name, PASSWORD), (error: unknown) => {
      assert.ok(error instanceof WarrantError);
      assert.equal(error.code, "client_secret_mismatch");
      assert.match(error.message, /options\.clientSecret/);
      return true;
    });
  });

  it("fails loudly when the configured secret is wrong", async () => {
    const name = email("badsecret");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const warrant = warrantFor(env, { clientId: env.pool.secretClientId, clientSecret: "not-the-secret" });
    await assert.rejects(
      warrant.authenticate(name, PASSWORD),
      (e: unknown) =>
        e instanceof WarrantError &&
        e.code === "client_secret_mismatch" &&
        !e.message.includes("not-the-secret"),
    );
  });
  it("regression (issue 10 item 5): a wrong client secret is told from the call, never from Cognito's wording", async () => {
    const name = email("wording");
    await env.pool.createUser({ email: name, password: PASSWORD });
    // FAKE: the login's refusal says nothing of a secret; the check that follows is a real one.
    const wrong = warrantFor(env, { clientId: env.pool.secretClientId, clientSecret: "not-the-secret" });
    env.front.fakeFault("InitiateAuth", {
      kind: "error",
      status: 400,
      type: "NotAuthorizedException",
      message: "Not authorized.",
    });
    await assert.rejects(
      wrong.authenticate(name, PASSWORD),
      (e: unknown) => e instanceof WarrantError && e.code === "client_secret_mismatch",
    );
    // FAKE: a wrong password whose wording mentions a secret, with the right secret configured, is a
    // wrong password.
    const right = warrantFor(env, { clientId: env.pool.secretClientId, clientSecret: env.pool.clientSecret });
    env.front.fakeFault("InitiateAuth", {
      kind: "error",
      status: 400,
      type: "NotAuthorizedException",
      message: "Unable to verify secret hash for client",
    });
    assert.deepEqual(await right.authenticate(name, "Wr0ng-Password!"), {
      ok: false,
      reason: "invalid_credentials",
    });
    // Once the secret is known to be right, a wrong password costs one call and no more checks.
    env.front.resetCalls();
    assert.deepEqual(await right.authenticate(name, "Wr0ng-Password!"), {
      ok: false,
      reason: "invalid_credentials",
    });
    assert.equal(env.front.calls("InitiateAuth"), 1);
  });
});
