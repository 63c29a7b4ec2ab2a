/**
 * The demo in a real Chromium (Debian's package, driven by playwright-core): log in through the form,
 * see the profile, update it, log out, and land on the login page again. JavaScript is off, as the
 * pages must work without it. Saves a screenshot of the profile page under test-output/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { Browser } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { enrolTotp, totp, wrongTotp } from "../support/challenges.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";
import { attachSrpResponder } from "../support/srp-responder.ts";

const missing = !chromiumInstalled;
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

describe("demo in Chromium", {
  skip: missing ? "chromium is not installed (apt-get install chromium)" : false,
}, () => {
  let env: Env;
  let server: NodeServer;
  let browser: Browser;
  let name: string;
  let username: string;

  before(async () => {
    env = await createEnv();
    name = email("browser");
    username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Brenda", family_name: "Browser" },
    });
    const warrant = warrantFor(env);
    server = await serve(createDemoApp(warrant), { port: 0 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await env?.close();
  });

  it("logs in, shows and updates the profile, logs out", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      // The protected home page sends an anonymous visitor to the login form, remembering where to return.
      await page.goto(`${server.url}/`);
      assert.match(page.url(), /\/accounts\/login\?next=%2F$/);
      assert.equal(await page.title(), "Sign in");

      await page.getByLabel("Email or username").fill(name);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${server.url}/`);
      assert.match((await page.textContent("h1")) ?? "", /Hello, Brenda/);

      await page.goto(`${server.url}/accounts/profile`);
      assert.equal(await page.textContent('dd[data-attribute="given_name"]'), "Brenda");
      assert.equal(await page.textContent('dd[data-attribute="email"]'), name);
      mkdirSync("test-output", { recursive: true });
      await page.screenshot({ path: "test-output/profile.png", fullPage: true });

      await page.getByRole("link", { name: "Edit profile" }).click();
      await page.waitForURL(`${server.url}/accounts/profile/update`);
      await page.getByLabel("First name").fill("Bettina");
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(`${server.url}/accounts/profile?updated=1`);
      assert.match((await page.textContent('[role="status"]')) ?? "", /Your profile was updated/);
      assert.equal(await page.textContent('dd[data-attribute="given_name"]'), "Bettina");
      const cognito = await env.pool.admin.send(
        new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: username }),
      );
      assert.equal(cognito.UserAttributes?.find((a) => a.Name === "given_name")?.Value, "Bettina");
      await page.screenshot({ path: "test-output/profile-updated.png", fullPage: true });

      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${server.url}/accounts/login`);
      assert.equal(await page.title(), "Sign in");
      const cookies = await context.cookies();
      assert.equal(
        cookies.some((c) => c.name === "warrant"),
        false,
      );

      // Signed out: the protected page is closed again.
      await page.goto(`${server.url}/`);
      assert.match(page.url(), /\/accounts\/login/);
    } finally {
      await context.close();
    }
  });

  it("signs a TOTP user in with SRP and a code from an authenticator (wrong code first)", async () => {
    const totpName = email("totp");
    await env.pool.createUser({ email: totpName, password: PASSWORD, attributes: { given_name: "Tess" } });
    const secret = await enrolTotp(env.pool, totpName, PASSWORD);
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    await responder.addUser(totpName, PASSWORD);
    // The library's default flow, USER_SRP_AUTH, through the SRP responder in front of cognito-local.
    const srp = await serve(createDemoApp(warrantFor(env, { authFlow: undefined })), { port: 0 });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${srp.url}/`);
      await page.getByLabel("Email or username").fill(totpName);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/accounts\/login\/challenge/);
      await page.getByLabel("Verification code").fill(wrongTotp(secret));
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForLoadState();
      assert.ok(await page.getAttribute('input[autocomplete="one-time-code"]', "aria-invalid"));
      await page.getByLabel("Verification code").fill(totp(secret));
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(`${srp.url}/`);
      assert.match((await page.textContent("h1")) ?? "", /Hello, Tess/);
      const flows = env.front.requests("InitiateAuth").map((r) => r.AuthFlow);
      assert.ok(flows.includes("USER_SRP_AUTH"), "logged in with SRP");
      assert.ok(
        !env.front
          .requests("InitiateAuth")
          .some((r) => r.AuthParameters?.USERNAME === totpName && r.AuthParameters?.PASSWORD),
        "the password never went to Cognito",
      );
    } finally {
      await context.close();
      await srp.close();
      responder.detach();
    }
  });

  it("shows one generic message for a wrong password, tied to the fields", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/accounts/login`);
      await page.getByLabel("Email or username").fill(name);
      await page.getByLabel("Password").fill("Not-The-Password-1");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForLoadState();
      assert.equal(await page.textContent('[role="alert"]'), "Incorrect username or password.");
      assert.equal(await page.getAttribute("#password", "aria-describedby"), "login-error");
      assert.equal(await page.getAttribute("#password", "aria-invalid"), "true");
    } finally {
      await context.close();
    }
  });
});
