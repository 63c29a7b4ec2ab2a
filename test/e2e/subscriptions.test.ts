/**
 * The API Gateway pages and attribute verification in a real Chromium (Debian's package, driven by
 * playwright-core), JavaScript off: a user with a key sees their usage plans; a staff member subscribes
 * the key to another plan and the user sees it; a user verifies a changed email with the code. The demo
 * app runs with the `@warrant/cognito/api-gateway` extension against moto, users in cognito-local.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { apiGateway } from "../../src/api-gateway/mod.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { setAttributes, TEST_CODE } from "../support/cognito-local.ts";
import {
  createKey,
  createPlan,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  type Moto,
  motoInstalled,
  startMoto,
} from "../support/moto.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const missing = [!chromiumInstalled && "chromium", !motoInstalled && "moto_server"].filter(Boolean);
if (missing.length && process.env.CI === "true") throw new Error(`CI=true and ${missing.join(", ")} missing`);

describe("API subscriptions and verification in Chromium", {
  skip: missing.length ? `${missing.join(" and ")} not installed` : false,
}, () => {
  let env: Env;
  let moto: Moto;
  let server: NodeServer;
  let browser: Browser;
  let plans: { basic: string; pro: string };

  before(async () => {
    // cognito-local sends attribute codes only in pools with AutoVerifiedAttributes.
    [env, moto] = await Promise.all([createEnv({ autoVerify: ["email"] }), startMoto()]);
    plans = {
      basic: await createPlan(moto, {
        name: "Basic",
        description: "For trying things out",
        throttle: { rateLimit: 5, burstLimit: 10 },
        quota: { limit: 500, period: "DAY" },
      }),
      pro: await createPlan(moto, { name: "Pro", description: "For production" }),
    };
    const gateway = apiGateway({
      endpoint: moto.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
    });
    server = await serve(createDemoApp(warrantFor(env, { extensions: [gateway] })), { port: 0 });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await moto?.stop();
    await env?.close();
  });

  /** A signed-in page of its own. */
  const signedIn = async (name: string) => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/accounts/login`);
    await page.getByLabel("Email or username").fill(name);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${server.url}/accounts/profile`);
    return { page, close: () => context.close() };
  };
  const planRows = async (page: Awaited<ReturnType<typeof signedIn>>["page"]) =>
    (await page.locator("[data-plan] h2").allTextContents()).sort();

  it("shows a user their plans; a staff member subscribes the key to another plan and the user sees it", async () => {
    const name = email("subscriber");
    const key = await createKey(moto, { name: "subscriber-key", plans: [plans.basic] });
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Sam", "custom:api_key_id": key.id },
    });
    const staffName = email("staff");
    await env.pool.createUser({ email: staffName, password: PASSWORD, groups: ["admin"] });

    const user = await signedIn(name);
    const staff = await signedIn(staffName);
    try {
      await user.page.getByRole("link", { name: "API subscriptions" }).click();
      await user.page.waitForURL(`${server.url}/accounts/profile/subscriptions`);
      assert.equal(await user.page.textContent("h1"), "Your API subscriptions");
      assert.deepEqual(await planRows(user.page), ["Basic"]);
      const row = user.page.locator(`[data-plan="${plans.basic}"]`);
      assert.deepEqual(await row.locator("dd").allTextContents(), [
        "For trying things out",
        "5 requests per second, bursts of 10",
        "500 requests per day",
      ]);
      mkdirSync("test-output", { recursive: true });
      await user.page.screenshot({ path: "test-output/subscriptions.png", fullPage: true });

      await staff.page.goto(`${server.url}/accounts/admin/users/${username}`);
      assert.match((await staff.page.textContent(`[data-key-id="${key.id}"]`)) ?? "", /enabled/);
      await staff.page.getByRole("button", { name: "Subscribe to Pro" }).click();
      await staff.page.waitForURL(
        `${server.url}/accounts/admin/users/${username}?done=api-gateway.subscribe`,
      );
      assert.equal(
        await staff.page.textContent('[role="status"]'),
        "The API key was subscribed to the plan.",
      );
      assert.equal(await staff.page.getByRole("button", { name: "Unsubscribe from Pro" }).count(), 1);
      await staff.page.screenshot({ path: "test-output/admin-subscriptions.png", fullPage: true });

      await user.page.reload();
      assert.deepEqual(await planRows(user.page), ["Basic", "Pro"]);
    } finally {
      await user.close();
      await staff.close();
    }
  });

  it("shows a user without a key a clear empty state", async () => {
    const name = email("keyless");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const user = await signedIn(name);
    try {
      await user.page.goto(`${server.url}/accounts/profile/subscriptions`);
      assert.equal(
        await user.page.textContent('[role="status"]'),
        "Your account has no API key yet, so it is not subscribed to any usage plan.",
      );
      assert.equal(await user.page.locator("[data-plan]").count(), 0);
    } finally {
      await user.close();
    }
  });

  it("marks a changed email unverified until the user enters the code", async () => {
    const name = email("verifier");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Vera" },
    });
    await setAttributes(env.pool, username, { email: name, email_verified: "true" });
    const user = await signedIn(name);
    const { page } = user;
    try {
      assert.equal(await page.textContent('dd[data-verified="email"]'), "Yes");
      const changed = email("verifier-new");
      await page.getByRole("link", { name: "Edit profile" }).click();
      await page.getByLabel("Email").fill(changed);
      await page.getByRole("button", { name: "Save" }).click();
      await page.waitForURL(`${server.url}/accounts/profile?updated=1`);
      assert.equal(await page.textContent('dd[data-attribute="email"]'), changed);
      assert.equal(await page.textContent('dd[data-verified="email"]'), "No · Verify");

      await page.locator('dd[data-verified="email"]').getByRole("link", { name: "Verify" }).click();
      await page.waitForURL(`${server.url}/accounts/profile/verify?attribute=email`);
      await page.getByRole("button", { name: "Send a code" }).click();
      await page.waitForURL(`${server.url}/accounts/profile/verify?attribute=email&sent=1`);
      assert.equal(await page.textContent('[role="status"]'), `A code is on its way to ${changed}.`);
      await page.screenshot({ path: "test-output/verify.png", fullPage: true });
      await page.getByLabel("Verification code").fill(TEST_CODE);
      await page.getByRole("button", { name: "Verify", exact: true }).click();
      await page.waitForURL(`${server.url}/accounts/profile?verified=email`);
      assert.equal(await page.textContent('[role="status"]'), "Your email address is verified.");
      assert.equal(await page.textContent('dd[data-verified="email"]'), "Yes");
      await page.screenshot({ path: "test-output/verified.png", fullPage: true });
    } finally {
      await user.close();
    }
  });
});
