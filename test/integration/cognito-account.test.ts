/**
 * The self-service Cognito calls (src/cognito/account.ts), each on its own against cognito-local through
 * the front, without HTTP: what each answers for success, for each refusal a page explains, and for an
 * outage (a FAKE 5xx: Cognito's own failure, which no emulator produces on demand).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CognitoApi, createCognitoApi } from "../../src/cognito/api.ts";
import { WarrantError } from "../../src/errors.ts";
import { resolveConfig } from "../../src/options.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";

const outage =
  (code = "cognito_unavailable") =>
  (e: unknown) =>
    e instanceof WarrantError && e.code === code;

describe("cognito/account.ts", () => {
  let env: Env;
  let cognito: CognitoApi;
  let secretCognito: CognitoApi;
  before(async () => {
    env = await createEnv();
    const base = { userPoolId: env.pool.userPoolId, endpoint: env.front.endpoint, secret: SECRET };
    cognito = createCognitoApi(resolveConfig({ ...base, clientId: env.pool.clientId }));
    secretCognito = createCognitoApi(
      resolveConfig({ ...base, clientId: env.pool.secretClientId, clientSecret: env.pool.clientSecret }),
    );
  });
  after(() => env.close());

  const signedIn = async (attributes: Record<string, string> = {}) => {
    const name = email("account");
    const username = await env.pool.createUser({ email: name, password: PASSWORD, attributes });
    const step = await cognito.passwordLogin(name, PASSWORD);
    assert.equal(step.kind, "tokens");
    return { name, username, accessToken: step.kind === "tokens" ? step.tokens.accessToken : "" };
  };

  it("getAttributes: the user's attributes; a revoked token is token_refused; a 5xx throws cognito_unavailable", async () => {
    const { username, accessToken } = await signedIn({ given_name: "Gia" });
    const found = await cognito.getAttributes(accessToken);
    assert.ok(found.ok);
    assert.equal(found.username, username);
    assert.equal(found.attributes.find((a) => a.Name === "given_name")?.Value, "Gia");
    // FAKE: Cognito answers a revoked or signed-out access token with NotAuthorizedException; cognito-local
    // answers a token it cannot read with InvalidParameterException and never revokes access tokens.
    env.front.fakeFault("GetUser", { kind: "error", status: 400, type: "NotAuthorizedException" });
    assert.deepEqual(await cognito.getAttributes(accessToken), { ok: false, reason: "token_refused" });
    // GetUser is safe to repeat: three FAKE 5xx in a row exhaust the retries.
    env.front.fakeFault("GetUser", { kind: "error", status: 500, type: "InternalErrorException" }, 3);
    await assert.rejects(cognito.getAttributes(accessToken), outage());
    env.front.clearFaults();
  });

  it("updateAttributes: ok, then visible; a value Cognito refuses is rejected", async () => {
    const { accessToken } = await signedIn();
    assert.deepEqual(await cognito.updateAttributes(accessToken, [{ Name: "given_name", Value: "Upd" }]), {
      ok: true,
    });
    const found = await cognito.getAttributes(accessToken);
    assert.equal(found.ok && found.attributes.find((a) => a.Name === "given_name")?.Value, "Upd");
    env.front.fakeFault("UpdateUserAttributes", {
      kind: "error",
      status: 400,
      type: "InvalidParameterException",
    });
    assert.deepEqual(await cognito.updateAttributes(accessToken, [{ Name: "given_name", Value: "x" }]), {
      ok: false,
      reason: "rejected",
    });
  });

  it("changePassword: ok; a wrong current password and a weak new one are their own refusals", async () => {
    const { name, accessToken } = await signedIn();
    assert.deepEqual(await cognito.changePassword(accessToken, "Wrong-Pass-1!", "Other-Pass-22!"), {
      ok: false,
      reason: "wrong_password",
    });
    // FAKE: cognito-local's pools have no password policy; Cognito refuses a weak one with InvalidPasswordException.
    env.front.fakeFault("ChangePassword", {
      kind: "error",
      status: 400,
      type: "InvalidPasswordException",
      message: "Password does not conform to policy",
    });
    assert.deepEqual(await cognito.changePassword(accessToken, PASSWORD, "short"), {
      ok: false,
      reason: "weak_password",
    });
    assert.deepEqual(await cognito.changePassword(accessToken, PASSWORD, "Other-Pass-22!"), { ok: true });
    assert.equal((await cognito.passwordLogin(name, "Other-Pass-22!")).kind, "tokens");
    env.front.fakeFault("ChangePassword", { kind: "error", status: 503, type: "ServiceUnavailable" });
    await assert.rejects(cognito.changePassword(accessToken, "Other-Pass-22!", "Third-Pass-333!"), outage());
  });

  it("forgotPassword and confirmForgotPassword: a code, a wrong code, a weak password, then the new password works", async () => {
    const { name } = await signedIn();
    assert.deepEqual(await cognito.forgotPassword(name), { ok: true });
    assert.deepEqual(
      await cognito.confirmForgotPassword({ username: name, code: "000000", password: "New-Pass-44!" }),
      {
        ok: false,
        reason: "bad_code",
      },
    );
    // FAKE: cognito-local's pools have no password policy; Cognito refuses a weak one with InvalidPasswordException.
    env.front.fakeFault("ConfirmForgotPassword", {
      kind: "error",
      status: 400,
      type: "InvalidPasswordException",
      message: "Password does not conform to policy",
    });
    assert.deepEqual(
      await cognito.confirmForgotPassword({ username: name, code: TEST_CODE, password: "short" }),
      {
        ok: false,
        reason: "weak_password",
      },
    );
    assert.deepEqual(
      await cognito.confirmForgotPassword({ username: name, code: TEST_CODE, password: "New-Pass-44!" }),
      {
        ok: true,
      },
    );
    assert.equal((await cognito.passwordLogin(name, "New-Pass-44!")).kind, "tokens");
    env.front.fakeFault("ForgotPassword", { kind: "error", status: 429, type: "TooManyRequestsException" });
    await assert.rejects(cognito.forgotPassword(name), outage("cognito_throttled"));
  });

  it("signUp and confirmSignUp: a new account, an existing one, a weak password, a wrong code, SECRET_HASH", async () => {
    const name = email("signup");
    const attributes = [{ Name: "email", Value: name }];
    assert.deepEqual(await secretCognito.signUp({ email: name, password: PASSWORD, attributes }), {
      ok: true,
      username: name,
    });
    const sent = env.front.requests("SignUp").at(-1);
    assert.equal(typeof sent.SecretHash, "string", "SECRET_HASH goes with a client that has a secret");
    assert.deepEqual(await cognito.signUp({ email: name, password: PASSWORD, attributes }), {
      ok: false,
      reason: "exists",
    });
    // FAKE: cognito-local's pools have no password policy; Cognito refuses a weak one with InvalidPasswordException.
    env.front.fakeFault("SignUp", {
      kind: "error",
      status: 400,
      type: "InvalidPasswordException",
      message: "Password does not conform to policy",
    });
    const other = email("weak");
    assert.deepEqual(
      await cognito.signUp({
        email: other,
        password: "short",
        attributes: [{ Name: "email", Value: other }],
      }),
      {
        ok: false,
        reason: "weak_password",
      },
    );
    assert.deepEqual(await secretCognito.confirmSignUp({ username: name, code: "000000" }), {
      ok: false,
      reason: "bad_code",
    });
    assert.deepEqual(await secretCognito.confirmSignUp({ username: name, code: TEST_CODE }), { ok: true });
    assert.equal((await cognito.passwordLogin(name, PASSWORD)).kind, "tokens");
  });
});
