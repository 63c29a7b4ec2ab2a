/**
 * The challenge pages, GET and POST /login/challenge, in HTML and JSON, against cognito-local.
 * EMAIL_OTP, MFA_SETUP and a non-empty `requiredAttributes` are FAKE Cognito answers: cognito-local
 * has none of them.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminCreateUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage } from "unstorage";
import { challengeAttempts } from "../../src/mod.ts";
import { Client, csrfOf, setCookies } from "../support/browser-client.ts";
import { enrolTotp, fakeChallengeAfterPassword, totp, wrongTotp } from "../support/challenges.ts";
import { createEnv, type Env, email, JWT, PASSWORD, warrantFor } from "../support/setup.ts";

const TEMPORARY = "Temp-0rary!";

describe("challenge pages", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  /** A user made by an administrator with a temporary password: NEW_PASSWORD_REQUIRED at login. */
  const invited = async () => {
    const name = email("invited-page");
    await env.pool.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: env.pool.userPoolId,
        Username: name,
        TemporaryPassword: TEMPORARY,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: name }],
      }),
    );
    return name;
  };

  const totpUser = async (label: string, preference: { sms?: boolean } = {}) => {
    const name = email(label);
    const username = await env.pool.createUser({ email: name, password: PASSWORD });
    const secret = await enrolTotp(env.pool, name, PASSWORD, preference);
    return { name, username, secret };
  };

  /** Logs in through the form, expects the challenge redirect, and opens the challenge page. */
  const toChallenge = async (client: Client, name: string, password: string, next?: string) => {
    const login = await client.login(name, password, next);
    assert.equal(login.status, 303);
    assert.equal(
      login.headers.get("location"),
      `/accounts/login/challenge${next ? `?next=${encodeURIComponent(next)}` : ""}`,
    );
    const page = await client.get(login.headers.get("location")!);
    assert.equal(page.status, 200);
    const html = await page.text();
    // The challenge id travels in the cookie only.
    assert.ok(!html.includes(client.jar.get("warrant_challenge")!));
    return { html, csrf: csrfOf(html), action: /<form method="post" action="([^"]+)"/.exec(html)![1]! };
  };

  const signedIn = async (client: Client) =>
    (await client.get("/accounts/session", { accept: "application/json" })).status === 200;

  it("NEW_PASSWORD_REQUIRED: new-password fields, the confirmation checked before Cognito, then the new password logs in", async () => {
    const name = await invited();
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const { html, csrf, action } = await toChallenge(client, name, TEMPORARY, "/orders?id=7");
    assert.equal(action, "/accounts/login/challenge?next=%2Forders%3Fid%3D7");
    assert.match(html, /name="newPassword" type="password" value="" autocomplete="new-password"/);
    assert.match(html, /name="confirmPassword" type="password" value="" autocomplete="new-password"/);
    assert.match(html, /Please choose a new password/);

    const newPassword = "N3w-Password! ";
    env.front.resetCalls();
    const mismatch = await client.form(action, { csrf, newPassword, confirmPassword: "N3w-Password!" });
    assert.equal(mismatch.status, 400);
    const mismatchHtml = await mismatch.text();
    assert.match(
      mismatchHtml,
      /aria-invalid="true" aria-describedby="f-confirmPassword-error"[^>]*>\s*<p id="f-confirmPassword-error" class="error">The two passwords do not match\.<\/p>/,
    );
    assert.ok(!mismatchHtml.includes("N3w-Password"));
    assert.equal(env.front.calls(), 0);

    const done = await client.form(action, { csrf, newPassword, confirmPassword: newPassword });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/orders?id=7");
    assert.equal(setCookies(done).warrant_challenge, "");
    assert.equal(client.jar.has("warrant_challenge"), false);
    assert.ok(await signedIn(client));

    const again = new Client(warrant.handler);
    assert.equal((await again.login(name, newPassword)).headers.get("location"), "/accounts/profile");
    assert.ok(await signedIn(again));
  });

  it("FAKE requiredAttributes (cognito-local sends []): labelled inputs, required server-side, sent to Cognito; JSON takes { newPassword, attributes }", async () => {
    env.front.intercept("InitiateAuth", async (body, forward) => {
      const real = await forward(body);
      if (real.body.ChallengeName === "NEW_PASSWORD_REQUIRED")
        real.body.ChallengeParameters.requiredAttributes = '["userAttributes.given_name"]';
      return real;
    });
    try {
      const warrant = warrantFor(env);
      const client = new Client(warrant.handler);
      const { html, csrf, action } = await toChallenge(client, await invited(), TEMPORARY);
      assert.match(html, /<label for="f-attributes.given_name">First name<\/label>/);
      assert.match(html, /name="attributes.given_name" type="text" value="" autocomplete="given-name"/);
      env.front.resetCalls();
      const fields = { csrf, newPassword: "N3w-Password!", confirmPassword: "N3w-Password!" };
      const empty = await client.form(action, fields);
      assert.equal(empty.status, 400);
      assert.match(
        await empty.text(),
        /id="f-attributes.given_name-error" class="error">Please fill in this field/,
      );
      assert.equal(env.front.calls(), 0);
      const done = await client.form(action, { ...fields, "attributes.given_name": "Ada" });
      assert.equal(done.status, 303);
      const sent = env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses;
      assert.equal(sent["userAttributes.given_name"], "Ada");

      const api = new Client(warrant.handler);
      const login = await api.json("/accounts/login", { username: await invited(), password: TEMPORARY });
      assert.deepEqual(((await login.json()) as any).challenge.name, "NEW_PASSWORD_REQUIRED");
      env.front.resetCalls();
      const missing = await api.json("/accounts/login/challenge", { newPassword: "N3w-Password!" });
      assert.equal(missing.status, 400);
      const missingBody = (await missing.json()) as any;
      assert.equal(missingBody.error, "invalid_answer");
      assert.deepEqual(missingBody.fields, ["attributes.given_name"]);
      assert.equal(env.front.calls(), 0);
      const ok = await api.json("/accounts/login/challenge", {
        newPassword: "N3w-Password!",
        attributes: { given_name: "Grace" },
      });
      assert.equal(ok.status, 200);
      assert.ok(((await ok.json()) as any).user.username);
      // cognito-local does not store attributes sent with the answer, so check what was sent.
      const answer = env.front.requests("RespondToAuthChallenge")[0].ChallengeResponses;
      assert.equal(answer["userAttributes.given_name"], "Grace");
      assert.ok(await signedIn(api));
    } finally {
      env.front.intercept("InitiateAuth", undefined);
    }
  });

  it("SOFTWARE_TOKEN_MFA in HTML: a one-time-code field; a wrong code is a 400 with attempts left, the right one signs in", async () => {
    const { name, username, secret } = await totpUser("totp-page");
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const { html, csrf, action } = await toChallenge(client, name, PASSWORD);
    assert.match(
      html,
      /name="code" type="text" value="" autocomplete="one-time-code" inputmode="numeric" required/,
    );
    assert.match(html, /authenticator app/);
    const first = client.jar.get("warrant_challenge");

    const wrongCode = wrongTotp(secret);
    const wrong = await client.form(action, { csrf, code: wrongCode });
    assert.equal(wrong.status, 400);
    const wrongHtml = await wrong.text();
    assert.match(
      wrongHtml,
      new RegExp(
        `id="f-code-error" class="error">That code did not work\\..*Attempts left: ${challengeAttempts - 1}\\.`,
      ),
    );
    assert.ok(!wrongHtml.includes(`value="${wrongCode}"`));
    assert.equal(client.jar.has("warrant"), false);
    // The old id is spent; the cookie now holds the new one.
    assert.notEqual(client.jar.get("warrant_challenge"), first);

    const done = await client.form(action, { csrf, code: totp(secret).replace(/^(\d{3})/, "$1 ") });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/accounts/profile");
    const session = await client.get("/accounts/session", { accept: "application/json" });
    assert.equal(((await session.json()) as any).user.username, username);
  });

  it("SOFTWARE_TOKEN_MFA in JSON: { challenge } at login, 400 invalid_code, then { user }; nothing secret in any body", async () => {
    const { name, username, secret } = await totpUser("totp-json");
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const client = new Client(warrant.handler);
    const login = await client.json("/accounts/login", { username: name, password: PASSWORD });
    assert.equal(login.status, 200);
    const loginBody = (await login.json()) as any;
    assert.equal(loginBody.challenge.name, "SOFTWARE_TOKEN_MFA");
    assert.deepEqual(Object.keys(loginBody.challenge).sort(), ["name", "parameters"]);
    const pending = await client.get("/accounts/login/challenge", { accept: "application/json" });
    assert.equal(((await pending.json()) as any).challenge.name, "SOFTWARE_TOKEN_MFA");

    const wrong = await client.json("/accounts/login/challenge", { code: wrongTotp(secret) });
    assert.equal(wrong.status, 400);
    const wrongText = await wrong.text();
    const wrongBody = JSON.parse(wrongText);
    assert.equal(wrongBody.error, "invalid_code");
    assert.equal(wrongBody.attemptsLeft, challengeAttempts - 1);
    assert.equal(wrongBody.challenge.name, "SOFTWARE_TOKEN_MFA");
    assert.ok(!wrongText.includes(client.jar.get("warrant_challenge")!));

    const ok = await client.json("/accounts/login/challenge", { code: totp(secret) });
    assert.equal(ok.status, 200);
    const okText = await ok.text();
    assert.equal(JSON.parse(okText).user.username, username);
    assert.doesNotMatch(okText, JWT);
    assert.ok(await signedIn(client));
  });

  it("SELECT_MFA_TYPE: radio buttons from MFAS_CAN_CHOOSE, a missing choice is a 400, then the TOTP code", async () => {
    const { name, secret } = await totpUser("select-page", { sms: true });
    const client = new Client(warrantFor(env).handler);
    const { html, csrf, action } = await toChallenge(client, name, PASSWORD);
    assert.match(html, /<legend>Verification method<\/legend>/);
    assert.match(html, /type="radio" name="mfaType" value="SMS_MFA"[^>]*> Text message \(SMS\)/);
    assert.match(html, /type="radio" name="mfaType" value="SOFTWARE_TOKEN_MFA"[^>]*> Authenticator app/);
    env.front.resetCalls();
    const none = await client.form(action, { csrf });
    assert.equal(none.status, 400);
    assert.match(await none.text(), /id="f-mfaType-error" class="error">Please choose a method/);
    const other = await client.form(action, { csrf, mfaType: "EMAIL_OTP" });
    assert.equal(other.status, 400);
    assert.equal(env.front.calls(), 0);

    const chosen = await client.form(action, { csrf, mfaType: "SOFTWARE_TOKEN_MFA" });
    assert.equal(chosen.status, 303);
    assert.equal(chosen.headers.get("location"), "/accounts/login/challenge");
    const codePage = await (await client.get("/accounts/login/challenge")).text();
    assert.match(codePage, /autocomplete="one-time-code"/);
    const done = await client.form(action, { csrf: csrfOf(codePage), code: totp(secret) });
    assert.equal(done.status, 303);
    assert.ok(await signedIn(client));
  });

  it("replaying an answered challenge cookie: a clear page with a link to sign in again, no session", async () => {
    const { name, secret } = await totpUser("replay-page");
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const client = new Client(warrant.handler);
    const { csrf, action } = await toChallenge(client, name, PASSWORD);
    const spent = client.jar.get("warrant_challenge")!;
    const code = totp(secret);
    assert.equal((await client.form(action, { csrf, code })).status, 303);

    const replayer = new Client(warrant.handler);
    replayer.jar.set("warrant_csrf", client.jar.get("warrant_csrf")!);
    replayer.jar.set("warrant_challenge", spent);
    env.front.resetCalls();
    const sessionsBefore = (await storage.getKeys("sessions")).length;
    const replay = await replayer.form(action, { csrf, code });
    assert.equal(replay.status, 400);
    const page = await replay.text();
    assert.match(page, /expired or was already used/);
    assert.match(page, /<a class="button" href="\/accounts\/login">Sign in again<\/a>/);
    assert.doesNotMatch(page, /<form/);
    assert.equal(setCookies(replay).warrant_challenge, "");
    assert.equal("warrant" in setCookies(replay), false);
    assert.equal(env.front.calls(), 0);
    assert.equal((await storage.getKeys("sessions")).length, sessionsBefore);
    assert.equal(await signedIn(replayer), false);

    replayer.jar.set("warrant_challenge", spent);
    const get = await replayer.get("/accounts/login/challenge");
    assert.equal(get.status, 400);
    assert.match(await get.text(), /Sign in again/);
    const json = await replayer.json("/accounts/login/challenge", { code });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as any).error, "challenge_expired");
    // No cookie at all: the same clear page.
    assert.equal((await new Client(warrant.handler).get("/accounts/login/challenge")).status, 400);
  });

  it(`${challengeAttempts} wrong codes: too many attempts, the cookie expired, sign in again`, async () => {
    const { name, secret } = await totpUser("attempts-page");
    const client = new Client(warrantFor(env).handler);
    const { csrf, action } = await toChallenge(client, name, PASSWORD);
    for (let i = 1; i < challengeAttempts; i++)
      assert.equal((await client.form(action, { csrf, code: wrongTotp(secret) })).status, 400);
    const last = await client.form(action, { csrf, code: wrongTotp(secret) });
    assert.equal(last.status, 400);
    assert.match(await last.text(), /Too many attempts/);
    assert.equal(client.jar.has("warrant_challenge"), false);
    assert.equal(await signedIn(client), false);
  });

  it("the pending challenge cookie opens neither /profile nor /session (S6)", async () => {
    const { name } = await totpUser("pending-page");
    const client = new Client(warrantFor(env).handler);
    await toChallenge(client, name, PASSWORD);
    assert.equal(client.jar.has("warrant"), false);
    assert.equal((await client.get("/accounts/profile", { accept: "application/json" })).status, 401);
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 401);
    // Even under the session cookie's name, a challenge id is no session.
    const forged = new Client(warrantFor(env).handler);
    forged.jar.set("warrant", client.jar.get("warrant_challenge")!);
    assert.equal((await forged.get("/accounts/session", { accept: "application/json" })).status, 401);
  });

  it("cross-site POST → 403, missing or foreign CSRF token → 403, nothing reaches Cognito and the challenge stays", async () => {
    const { name, secret } = await totpUser("csrf-page");
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const { csrf, action } = await toChallenge(client, name, PASSWORD);
    env.front.resetCalls();
    const crossSite = await client.form(
      action,
      { csrf, code: totp(secret) },
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
    );
    assert.equal(crossSite.status, 403);
    const crossJson = await client.json(
      "/accounts/login/challenge",
      { code: totp(secret) },
      { origin: "https://evil.example" },
    );
    assert.equal(crossJson.status, 403);
    assert.equal((await client.form(action, { code: totp(secret) })).status, 403);
    const other = csrfOf(await (await new Client(warrant.handler).get("/accounts/login")).text());
    assert.equal((await client.form(action, { csrf: other, code: totp(secret) })).status, 403);
    assert.equal(env.front.calls(), 0);
    assert.equal(await signedIn(client), false);
    assert.equal((await client.form(action, { csrf, code: totp(secret) })).status, 303);
  });

  it("a malformed code is a 400 with the form and zero Cognito calls; the challenge still works", async () => {
    const { name, secret } = await totpUser("format-page");
    const client = new Client(warrantFor(env).handler);
    const { csrf, action } = await toChallenge(client, name, PASSWORD);
    const id = client.jar.get("warrant_challenge");
    env.front.resetCalls();
    for (const code of ["12345", "1234567", "12a456", "", "１２３４５６"]) {
      const res = await client.form(action, { csrf, code });
      assert.equal(res.status, 400, code);
      assert.match(await res.text(), /id="f-code-error" class="error">That code did not work/);
    }
    const json = await client.json("/accounts/login/challenge", { code: "12345" });
    assert.equal(json.status, 400);
    assert.deepEqual(((await json.json()) as any).fields, ["code"]);
    assert.equal(env.front.calls(), 0);
    assert.equal(client.jar.get("warrant_challenge"), id);
    assert.equal((await client.form(action, { csrf, code: totp(secret) })).status, 303);
  });

  it("EMAIL_OTP (FAKE Cognito): the page names where the code went; the 8-digit code signs in", async () => {
    const name = email("email-otp-page");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const fake = fakeChallengeAfterPassword(env.front, "EMAIL_OTP", { emailCode: "12345678" });
    try {
      const client = new Client(warrantFor(env).handler);
      const { html, csrf, action } = await toChallenge(client, name, PASSWORD);
      assert.match(html, /sent by email to a\*\*\*@e\*\*\*\./);
      const done = await client.form(action, { csrf, code: "1234 5678" });
      assert.equal(done.status, 303);
      assert.ok(await signedIn(client));
      for (const session of fake.sessions) assert.ok(!html.includes(session));
    } finally {
      fake.detach();
    }
  });

  it("MFA_SETUP (FAKE Cognito): shows the otpauth URI and the secret in groups, refuses a wrong code, then signs in", async () => {
    const name = email("mfa-setup-page");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const fake = fakeChallengeAfterPassword(env.front, "MFA_SETUP");
    try {
      const client = new Client(warrantFor(env, { totpIssuer: "Example Shop" }).handler);
      const { html, csrf, action } = await toChallenge(client, name, PASSWORD);
      const uri = `otpauth://totp/Example%20Shop:${encodeURIComponent(name)}?secret=${fake.secret}&amp;issuer=Example%20Shop`;
      assert.ok(html.includes(`<a href="${uri}`), "link to the otpauth URI");
      assert.ok(html.includes(`<code class="uri">${uri}`), "the URI as text");
      const groups = fake.secret.match(/.{1,4}/g)!.join(" ");
      assert.ok(html.includes(`>${groups}</code>`), "the secret in groups of four");
      assert.match(html, /autocomplete="one-time-code"/);
      for (const session of fake.sessions) assert.ok(!html.includes(session));

      const wrong = await client.form(action, { csrf, code: wrongTotp(fake.secret) });
      assert.equal(wrong.status, 400);
      const wrongHtml = await wrong.text();
      assert.ok(wrongHtml.includes(`>${groups}</code>`), "the secret is still shown");
      assert.match(wrongHtml, /That code did not work/);

      const json = await client.json("/accounts/login/challenge", { code: "000" });
      assert.equal(((await json.json()) as any).challenge.totp.secret, fake.secret);

      const done = await client.form(action, { csrf, code: totp(fake.secret) });
      assert.equal(done.status, 303);
      assert.ok(await signedIn(client));
    } finally {
      fake.detach();
    }
  });

  it("answering a challenge ends the session the browser already had (S5)", async () => {
    const plain = email("plain-page");
    await env.pool.createUser({ email: plain, password: PASSWORD });
    const { name, secret } = await totpUser("rotate-page");
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    await client.login(plain, PASSWORD);
    const before = client.jar.get("warrant")!;
    const { csrf, action } = await toChallenge(client, name, PASSWORD);
    assert.equal((await client.form(action, { csrf, code: totp(secret) })).status, 303);
    assert.notEqual(client.jar.get("warrant"), before);
    const old = await new Client(warrant.handler).get("/accounts/session", {
      cookie: `warrant=${before}`,
      accept: "application/json",
    });
    assert.equal(old.status, 401);
  });
});
