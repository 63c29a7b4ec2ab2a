/**
 * Managed login in a real Chromium (Debian's package, driven by playwright-core), JavaScript off: the
 * login page's button → cognito-local's own sign-in form (served through the managed-login front) → the
 * callback → the profile → a token refresh at the token endpoint → sign out, landing signed out of both
 * the app and "Cognito". The app is on http://localhost:<port>, the front on http://127.0.0.1:<port>: two
 * sites, as an app and its Cognito domain are, so the cookie that binds a login to the browser must
 * survive a cross-site redirect back (SameSite=Lax does).
 *
 * How real Cognito differs: cognito-local has no /logout and no session cookie of its own, so the front's
 * FAKE cookie stands for Cognito's (while it is there, /oauth2/authorize signs the person in again without
 * the form, as Cognito does) and its FAKE /logout clears it; its FAKE nonce echo signs the ID token again
 * with cognito-local's key, nonce added (real Cognito puts the nonce there itself); the "Google" button
 * goes to a FAKE provider that signs a pool user in at once.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { CreateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import type { Browser } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { managedLogin } from "../../src/managed-login/mod.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { freePort } from "../support/cognito-local.ts";
import {
  frontCookie,
  type ManagedLoginFront,
  startManagedLoginFront,
} from "../support/managed-login-front.ts";
import { createEnv, type Env, email, fakeClock, PASSWORD, warrantFor } from "../support/setup.ts";

const missing = !chromiumInstalled;
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

describe("managed login in Chromium", {
  skip: missing ? "chromium is not installed (apt-get install chromium)" : false,
}, () => {
  let env: Env;
  let front: ManagedLoginFront;
  let server: NodeServer;
  let browser: Browser;
  let origin: string;
  let name: string;
  const clock = fakeClock();

  before(async () => {
    env = await createEnv();
    front = await startManagedLoginFront({ upstream: env.pool.endpoint, userPoolId: env.pool.userPoolId });
    const port = await freePort();
    origin = `http://localhost:${port}`;
    const client = await env.pool.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: env.pool.userPoolId,
        ClientName: "browser",
        CallbackURLs: [`${origin}/accounts/oauth2/callback`],
        LogoutURLs: [`${origin}/accounts/login`],
        AllowedOAuthFlows: ["code"],
        AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        AllowedOAuthFlowsUserPoolClient: true,
        SupportedIdentityProviders: ["COGNITO", "Google"],
        ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
      }),
    );
    name = email("chromium-hosted");
    await env.pool.createUser({ email: name, password: PASSWORD, attributes: { given_name: "Hedy" } });
    const warrant = warrantFor(env, {
      clientId: client.UserPoolClient!.ClientId!,
      issuer: `${env.pool.endpoint}/${env.pool.userPoolId}`,
      now: clock.now,
      extensions: [
        managedLogin({
          domain: front.url,
          providers: [{ name: "COGNITO", label: "Sign in with single sign-on" }, "Google"],
        }),
      ],
    });
    server = await serve(createDemoApp(warrant), { port });
    assert.equal(server.url, origin);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await front?.close();
    await env?.close();
  });

  it("button → Cognito's form → profile → refresh → sign out of both", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/`);
      assert.match(page.url(), /\/accounts\/login\?next=%2F$/);
      mkdirSync("test-output", { recursive: true });
      await page.screenshot({ path: "test-output/managed-login-page.png", fullPage: true });

      // The button leaves for Cognito's managed login: cognito-local's own form, on the other site.
      await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
      await page.waitForURL(`${front.url}/oauth2/authorize?**`);
      assert.equal(new URL(page.url()).searchParams.get("identity_provider"), "COGNITO");
      await page.getByLabel("Username:").fill(name);
      await page.getByLabel("Password:").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      // Back through the callback to where the login started.
      await page.waitForURL(`${origin}/`);
      assert.match((await page.textContent("h1")) ?? "", /Hello, Hedy/);
      const names = (await context.cookies()).map((c) => c.name);
      assert.ok(names.includes("warrant") && names.includes(frontCookie));
      assert.ok(!names.includes("warrant_oauth"), "the binding cookie went with the login");

      await page.goto(`${origin}/accounts/profile`);
      assert.equal(await page.textContent('dd[data-attribute="given_name"]'), "Hedy");

      // Two hours on, the access token has expired: the next page refreshes at the token endpoint.
      const refreshes = () =>
        front.requests("/oauth2/token").filter((r) => r.params.grant_type === "refresh_token").length;
      const before = refreshes();
      clock.advance(2 * 3600_000);
      await page.reload();
      assert.equal(await page.textContent('dd[data-attribute="given_name"]'), "Hedy");
      assert.equal(refreshes(), before + 1);

      // Cognito's own session is live: starting again signs in without the form.
      await page.goto(`${origin}/accounts/oauth2/start`);
      await page.waitForURL(`${origin}/accounts/profile`);

      const revokes = front.calls("/oauth2/revoke");
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${origin}/accounts/login`);
      assert.equal(front.calls("/logout"), 1, "through Cognito's /logout");
      assert.equal(front.calls("/oauth2/revoke"), revokes + 1, "refresh token revoked");
      const left = (await context.cookies()).map((c) => c.name);
      assert.ok(!left.includes("warrant"), "signed out of the app");
      assert.ok(!left.includes(frontCookie), "signed out of Cognito");
      await page.goto(`${origin}/`);
      assert.match(page.url(), /\/accounts\/login/);

      // Signed out of Cognito too: the button shows the form again instead of signing in silently.
      await page.getByRole("link", { name: "Sign in with single sign-on" }).click();
      await page.waitForURL(`${front.url}/oauth2/authorize?**`);
      assert.ok(await page.getByLabel("Password:").isVisible());
    } finally {
      await context.close();
    }
  });

  it("the same app still signs people in with its own form", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/accounts/login`);
      await page.getByLabel("Email or username").fill(name);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${origin}/accounts/profile`);
      await page.getByRole("button", { name: "Sign out" }).click();
      // A password session signs out here, not through Cognito.
      await page.waitForURL(`${origin}/accounts/login`);
    } finally {
      await context.close();
    }
  });

  it("a provider button goes straight to the provider (FAKE Google)", async () => {
    const fed = email("chromium-google");
    await env.pool.createUser({
      email: fed,
      password: PASSWORD,
      attributes: {
        given_name: "Grace",
        identities: JSON.stringify([{ providerName: "Google", userId: "42" }]),
      },
    });
    front.addProvider("Google", { kind: "signs-in", username: fed, password: PASSWORD });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/`);
      await page.getByRole("link", { name: "Continue with Google" }).click();
      await page.waitForURL(`${origin}/`);
      assert.match((await page.textContent("h1")) ?? "", /Hello, Grace/);
      const authorize = front.requests("/oauth2/authorize").at(-1)!;
      assert.equal(authorize.params.identity_provider, "Google");
    } finally {
      await context.close();
    }
  });
});
