/**
 * Remembered devices and "where you're signed in" in a real Chromium (JavaScript off), against the demo app
 * with `@warrant/cognito/devices`, cognito-local behind the SRP responder and the FAKE device layer
 * (test/support/fake-devices.ts; no emulator has devices). Sign in with TOTP and "remember this browser",
 * sign out, sign in again without the code; a second browser signs in, the first sees both sessions and
 * ends the other; forget the device, and the code is asked again.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { devices } from "../../src/devices/mod.ts";
import { enrolTotp, totp } from "../support/challenges.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { attachFakeDevices, type FakeDevices } from "../support/fake-devices.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";
import { attachSrpResponder, type SrpResponder } from "../support/srp-responder.ts";

const missing = !chromiumInstalled;
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

describe("remembered devices in Chromium", {
  skip: missing ? "chromium is not installed (apt-get install chromium)" : false,
}, () => {
  let env: Env;
  let server: NodeServer;
  let browser: Browser;
  let responder: SrpResponder;
  let fake: FakeDevices;
  let secret: string;
  const name = email("chromium-devices");

  before(async () => {
    env = await createEnv();
    responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    fake = attachFakeDevices(env.front, { userPoolId: env.pool.userPoolId });
    const sub = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Dee" },
    });
    await responder.addUser(name, PASSWORD);
    secret = await enrolTotp(env.pool, name, PASSWORD);
    fake.totpSecret(sub, secret);
    const warrant = warrantFor(env, { authFlow: "USER_SRP_AUTH", extensions: [devices()] });
    server = await serve(createDemoApp(warrant), { port: 0 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    fake?.detach();
    responder?.detach();
    await env?.close();
  });

  /** Signs in through the form; true when the code was asked for (and given). */
  async function signIn(page: Page, remember = false): Promise<boolean> {
    await page.goto(`${server.url}/accounts/login`);
    await page.getByLabel("Email or username").fill(name);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => !url.pathname.endsWith("/accounts/login"));
    if (!new URL(page.url()).pathname.endsWith("/login/challenge")) return false;
    await page.getByLabel("Verification code").fill(totp(secret));
    if (remember) await page.getByLabel(/Remember this browser/).check();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL((url) => !url.pathname.includes("/login"));
    return true;
  }

  async function signOut(page: Page) {
    await page.goto(`${server.url}/accounts/profile`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${server.url}/accounts/login`);
  }

  it("remember this browser, sign in again without the code, end the other session, forget the device", async () => {
    let first: BrowserContext | undefined;
    let second: BrowserContext | undefined;
    try {
      first = await browser.newContext({ javaScriptEnabled: false });
      const a = await first.newPage();
      assert.equal(await signIn(a, true), true, "the first sign-in asks for the code");
      assert.equal(new URL(a.url()).pathname, "/accounts/profile");
      const deviceCookie = (await first.cookies()).find((c) => c.name === "warrant_device");
      assert.ok(deviceCookie?.httpOnly, "an HttpOnly device cookie");
      assert.ok(deviceCookie.expires > Date.now() / 1000 + 300 * 86400, "it lasts for months");

      await signOut(a);
      assert.ok(
        (await first.cookies()).some((c) => c.name === "warrant_device"),
        "sign-out keeps the device",
      );
      assert.equal(await signIn(a), false, "the remembered browser skips the code");
      assert.equal(new URL(a.url()).pathname, "/accounts/profile");

      second = await browser.newContext({ javaScriptEnabled: false });
      const b = await second.newPage();
      assert.equal(await signIn(b), true, "another browser is asked for the code");

      await a.goto(`${server.url}/accounts/profile`);
      await a.getByRole("link", { name: "Where you're signed in" }).click();
      await a.waitForURL(`${server.url}/accounts/sessions`);
      const sessions = a.locator("ul.sessions > li");
      assert.equal(await sessions.count(), 2);
      assert.equal(await a.locator("ul.sessions > li", { hasText: "This browser" }).count(), 1);
      mkdirSync("test-output", { recursive: true });
      await a.screenshot({ path: "test-output/sessions.png", fullPage: true });
      const other = a.locator("ul.sessions > li", { hasNotText: "This browser" });
      await other.getByRole("button", { name: "Sign out" }).click();
      await a.waitForURL(`${server.url}/accounts/sessions?done=ended`);
      assert.equal(await a.locator("ul.sessions > li").count(), 1);

      await b.goto(`${server.url}/`);
      assert.match(new URL(b.url()).pathname, /\/accounts\/login$/, "the other browser is signed out");

      const device = a.locator("ul.devices > li", { hasText: "This browser" });
      assert.match((await device.textContent()) ?? "", /remembered/);
      await device.getByRole("button", { name: "Forget" }).click();
      await a.waitForURL(`${server.url}/accounts/sessions?done=forgotten`);
      await signOut(a);
      assert.equal(await signIn(a), true, "after forgetting, the code is asked again");
    } finally {
      await first?.close();
      await second?.close();
    }
  });
});
