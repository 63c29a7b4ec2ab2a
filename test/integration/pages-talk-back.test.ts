/**
 * The pages talk back (issue 11 item 4), HTML and JSON: a failed login keeps the typed username and
 * focuses the password; the pages after a sign-up confirmation, a reset and a password change say what
 * happened; a signed-in non-staff user on an admin page is told it is for staff; sign-up's labels are its
 * own; the forgot-password instruction is not a status; the focus lands on the first empty field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client } from "../support/browser-client.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

/** The `name` of the input that carries `autofocus` (only one may). */
function focused(html: string): string | undefined {
  const inputs = [...html.matchAll(/<input [^>]*>/g)].map((m) => m[0]).filter((i) => / autofocus\b/.test(i));
  assert.ok(inputs.length <= 1, `one autofocus at most: ${inputs.join(" ")}`);
  return inputs[0] ? /name="([^"]+)"/.exec(inputs[0])?.[1] : undefined;
}

describe("pages that talk back", () => {
  let env: Env;
  let name: string;
  before(async () => {
    env = await createEnv();
    name = email("talk");
    await env.pool.createUser({ email: name, password: PASSWORD });
  });
  after(() => env.close());

  it("a failed login keeps the typed username and focuses the password; JSON stays generic", async () => {
    const client = new Client(warrantFor(env).handler);
    const fresh = await (await client.get("/accounts/login")).text();
    assert.equal(focused(fresh), "username");
    const res = await client.login(name, "Wrong-Password-1");
    assert.equal(res.status, 401);
    const page = await res.text();
    assert.match(page, new RegExp(`name="username" type="text" value="${name.replace(/[.+]/g, "\\$&")}"`));
    assert.equal(focused(page), "password");
    assert.doesNotMatch(page, /Wrong-Password-1/, "never the password");
    const asJson = await client.json("/accounts/login", { username: name, password: "Wrong-Password-1" });
    assert.deepEqual(await asJson.json(), {
      error: "invalid_credentials",
      message: "Incorrect username or password.",
    });
  });

  it("the login page says why it was reached after a confirmation or a reset", async () => {
    const client = new Client(warrantFor(env).handler);
    assert.match(
      await (await client.get("/accounts/login?confirmed=1")).text(),
      /role="status">Your account is confirmed\. You can sign in now\./,
    );
    assert.match(
      await (await client.get("/accounts/login?reset=1")).text(),
      /role="status">Your password was reset\. You can sign in with it now\./,
    );
    assert.doesNotMatch(await (await client.get("/accounts/login")).text(), /role="status"/);
  });

  it("the forgot-password instruction is plain text, not a status; the reset page focuses the code", async () => {
    const client = new Client(warrantFor(env).handler);
    const forgot = await (await client.get("/accounts/password/forgot")).text();
    assert.match(forgot, /<p>Enter your email or username and we will send you a code/);
    assert.doesNotMatch(forgot, /role="status"/);
    const reset = await (
      await client.get(`/accounts/password/reset?sent=1&username=${encodeURIComponent(name)}`)
    ).text();
    assert.match(reset, /role="status">If an account exists for that name, a code is on its way\./);
    assert.equal(focused(reset), "code", "the username is filled in: the first empty field is the code");
    const confirm = await (
      await client.get(`/accounts/signup/confirm?sent=1&username=${encodeURIComponent(name)}`)
    ).text();
    assert.equal(focused(confirm), "code");
  });

  it("sign-up has labels of its own", async () => {
    const page = await (await new Client(warrantFor(env).handler).get("/accounts/signup")).text();
    assert.match(page, /<label for="f-password">Password<\/label>/);
    assert.match(page, /<label for="f-confirmPassword">Confirm password<\/label>/);
    assert.doesNotMatch(page, /New password again/);
    assert.equal(focused(page), "email");
  });

  it("a password change says so, in HTML and JSON", async () => {
    const warrant = warrantFor(env);
    const other = email("changer");
    await env.pool.createUser({ email: other, password: PASSWORD });
    const client = new Client(warrant.handler);
    assert.equal((await client.login(other, PASSWORD)).status, 303);
    const next = "N3w-Password-Here!";
    const changed = await client.submit("/accounts/password/change", "/accounts/password/change", {
      currentPassword: PASSWORD,
      newPassword: next,
      confirmPassword: next,
    });
    assert.equal(changed.status, 303);
    assert.match(
      await (await client.get(changed.headers.get("location")!)).text(),
      /role="status">Your password was changed\./,
    );
    const back = await client.json("/accounts/password/change", {
      currentPassword: next,
      newPassword: PASSWORD,
    });
    assert.equal(back.status, 200);
    assert.deepEqual(await back.json(), {
      ok: true,
      message: "Your password was changed. You were signed out everywhere else.",
    });
  });

  it("a signed-in non-staff user on an admin page gets the staff-only 403, HTML and JSON", async () => {
    const client = new Client(warrantFor(env).handler);
    assert.equal((await client.login(name, PASSWORD)).status, 303);
    const page = await client.get("/accounts/admin/users");
    assert.equal(page.status, 403);
    const body = await page.text();
    assert.match(body, /This page is for staff only\./);
    assert.doesNotMatch(body, /reload the page/);
    const asJson = await client.get("/accounts/admin/users", { accept: "application/json" });
    assert.equal(asJson.status, 403);
    const answer = (await asJson.json()) as { error: string; message: string };
    assert.equal(answer.error, "forbidden");
    assert.match(answer.message, /staff only/);
  });
});
