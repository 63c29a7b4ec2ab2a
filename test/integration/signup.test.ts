/**
 * Registration through the handler against cognito-local (its codes fixed to TEST_CODE for the run).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { Client, csrfOf } from "../support/browser-client.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

describe("sign-up", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("signs up through the form, confirms with the code, then logs in", async () => {
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const page = await (await client.get("/accounts/signup")).text();
    assert.match(page, /autocomplete="email"/);
    assert.match(page, /autocomplete="new-password"/);
    assert.match(page, /name="first_name"/);
    const name = email("signup");
    const res = await client.form("/accounts/signup", {
      csrf: csrfOf(page),
      email: name,
      password: PASSWORD,
      confirmPassword: PASSWORD,
      first_name: "Newt",
    });
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location")!, /^\/accounts\/signup\/confirm\?sent=1&username=/);
    assert.deepEqual(await warrant.authenticate(name, PASSWORD), { ok: false, reason: "user_not_confirmed" });
    const confirmPage = await (await client.get(res.headers.get("location")!)).text();
    assert.match(confirmPage, /a code is on its way/);
    assert.match(confirmPage, /name="password"/);
    const wrong = await client.form("/accounts/signup/confirm", {
      csrf: csrfOf(confirmPage),
      username: name,
      code: "000000",
      password: PASSWORD,
    });
    assert.equal(wrong.status, 400);
    const confirmed = await client.form("/accounts/signup/confirm", {
      csrf: csrfOf(confirmPage),
      username: name,
      code: TEST_CODE,
      password: PASSWORD,
    });
    // Confirmed by the person who chose the password, and signed in straight away.
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get("location"), "/accounts/profile?signup=confirmed");
    assert.match(
      await (await client.get("/accounts/profile?signup=confirmed")).text(),
      /role="status">Your account is confirmed and you are signed in\./,
    );
    assert.equal((await client.get("/accounts/session")).status, 200);
    const result = await warrant.authenticate(name, PASSWORD);
    assert.ok(result.ok);
    assert.equal(result.user.first_name, "Newt");
    const cognito = await env.pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: result.user.username }),
    );
    assert.equal(cognito.UserAttributes?.find((a) => a.Name === "given_name")?.Value, "Newt");
  });

  it("answers a sign-up of an existing name exactly like a new one (R7)", async () => {
    const existing = email("exists");
    await env.pool.createUser({ email: existing, password: PASSWORD });
    const warrant = warrantFor(env);
    const a = await new Client(warrant.handler).json("/accounts/signup", {
      email: existing,
      password: PASSWORD,
    });
    const b = await new Client(warrant.handler).json("/accounts/signup", {
      email: email("fresh"),
      password: PASSWORD,
    });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(await a.text(), await b.text());
  });

  it("refuses bad input before calling Cognito, and cross-site posts", async () => {
    const warrant = warrantFor(env);
    env.front.resetCalls();
    const client = new Client(warrant.handler);
    assert.equal(
      (await client.json("/accounts/signup", { email: "not-an-email", password: PASSWORD })).status,
      400,
    );
    assert.equal((await client.json("/accounts/signup", { email: email("x"), password: "" })).status, 400);
    assert.equal(
      (
        await client.json("/accounts/signup", {
          email: email("x"),
          password: PASSWORD,
          first_name: "x".repeat(3000),
        })
      ).status,
      400,
    );
    assert.equal(
      (await client.json("/accounts/signup/confirm", { username: email("x"), code: "abc" })).status,
      400,
    );
    const page = await (await client.get("/accounts/signup")).text();
    const mismatch = await client.form("/accounts/signup", {
      csrf: csrfOf(page),
      email: email("x"),
      password: PASSWORD,
      confirmPassword: "other",
    });
    assert.equal(mismatch.status, 400);
    assert.equal(
      (
        await client.json(
          "/accounts/signup",
          { email: email("x"), password: PASSWORD },
          { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
        )
      ).status,
      403,
    );
    assert.equal(env.front.calls(), 0);
  });

  it("sends SECRET_HASH on sign-up and confirmation for a client with a secret", async () => {
    const warrant = warrantFor(env, {
      clientId: env.pool.secretClientId,
      clientSecret: env.pool.clientSecret,
    });
    const name = email("secret-signup");
    env.front.resetCalls();
    const client = new Client(warrant.handler);
    assert.equal((await client.json("/accounts/signup", { email: name, password: PASSWORD })).status, 200);
    assert.equal(
      (await client.json("/accounts/signup/confirm", { username: name, code: TEST_CODE, password: PASSWORD }))
        .status,
      200,
    );
    assert.ok(env.front.requests("SignUp")[0].SecretHash);
    assert.ok(env.front.requests("ConfirmSignUp")[0].SecretHash);
  });
});
