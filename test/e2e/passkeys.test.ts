/**
 * Passkeys and passwordless sign-in in a real Chromium (Debian's, driven by playwright-core) with a
 * virtual authenticator (the DevTools protocol's WebAuthn domain): sign up, confirm and be signed in,
 * add a passkey, sign out, sign in with the passkey alone; a wrong and a replayed assertion refused
 * with the attempts counted; another person signs in with an emailed code, with and without
 * JavaScript; a pool that allows only passkeys. Cognito's side is the FAKE USER_AUTH front
 * (test/support/fake-user-auth.ts), which makes real WebAuthn options and verifies the browser's real
 * attestations and assertions with @simplewebauthn/server, over cognito-local's real tokens.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { passkeys } from "../../src/passkeys/mod.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { TEST_CODE } from "../support/cognito-local.ts";
import { attachFakeUserAuth, type FakeUserAuth } from "../support/fake-user-auth.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const missing = !chromiumInstalled;
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

describe("passkeys in Chromium (FAKE USER_AUTH front over cognito-local)", {
  skip: missing ? "chromium is not installed (apt-get install chromium)" : false,
}, () => {
  let env: Env;
  let fake: FakeUserAuth;
  let server: NodeServer;
  let preferPasskey: NodeServer;
  let browser: Browser;
  /** The context and page that hold the virtual authenticator with the passkey. */
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  let person: string;
  /** The first assertion the browser posted, for the replay. */
  let firstAssertion = "";

  before(async () => {
    env = await createEnv();
    server = await serve(
      createDemoApp(warrantFor(env, { authFlow: "USER_AUTH", extensions: [passkeys()] })),
      { port: 0 },
    );
    preferPasskey = await serve(
      createDemoApp(
        warrantFor(env, { authFlow: "USER_AUTH", preferredChallenge: "WEB_AUTHN", extensions: [passkeys()] }),
      ),
      { port: 0 },
    );
    fake = attachFakeUserAuth(env.front, {
      userPoolId: env.pool.userPoolId,
      rpId: "localhost",
      origins: [server.url, preferPasskey.url],
    });
    browser = await launchChromium();
    context = await browser.newContext();
    page = await context.newPage();
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on("request", (request) => {
      const body = request.postData() ?? "";
      if (
        request.method() === "POST" &&
        request.url().endsWith("/accounts/login/challenge") &&
        !firstAssertion
      ) {
        const credential = new URLSearchParams(body).get("credential");
        if (credential) firstAssertion = credential;
      }
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
  });
  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
    await preferPasskey?.close();
    await env?.close();
  });

  const signOut = async (p: Page, base: string) => {
    await p.goto(`${base}/accounts/profile`);
    await p.getByRole("button", { name: "Sign out" }).click();
    await p.waitForURL(`${base}/accounts/login`);
  };
  const startSignIn = async (p: Page, base: string, name: string) => {
    await p.goto(`${base}/accounts/login`);
    await p.getByLabel("Email or username").fill(name);
    await p.getByRole("button", { name: "Continue" }).click();
    await p.waitForURL(`${base}/accounts/login/challenge`);
  };
  const signedInAs = async (p: Page, base: string) => {
    const res = await p.request.get(`${base}/accounts/session`, { headers: { accept: "application/json" } });
    return res.ok() ? ((await res.json()).user.email as string) : null;
  };

  it("signs up, confirms and is signed in, adds a passkey, signs out, and signs in with the passkey alone", async () => {
    person = email("passkey");
    await page.goto(`${server.url}/accounts/signup`);
    await page.getByLabel("Email", { exact: true }).fill(person);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Confirm password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/accounts\/signup\/confirm/);
    await page.getByLabel("Code").fill(TEST_CODE);
    await page.getByRole("button", { name: "Confirm" }).click();
    // Signed in by the confirmation itself: no password typed again.
    await page.waitForURL(`${server.url}/accounts/profile?signup=confirmed`);
    assert.equal(await signedInAs(page, server.url), person);

    // The profile page links to the passkeys (the extension's profile link).
    await page.getByRole("link", { name: "Passkeys" }).click();
    await page.waitForURL(`${server.url}/accounts/passkeys`);
    assert.match((await page.textContent("main")) ?? "", /You have no passkeys yet\./);
    await page.getByRole("link", { name: "Add a passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/passkeys/add`);
    await page.getByLabel("Name").fill("Work laptop");
    await page.getByRole("button", { name: "Create the passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/passkeys?done=added`);
    assert.match((await page.textContent('[role="status"]')) ?? "", /The passkey was added\./);
    assert.equal(await page.locator("ul.passkeys strong").textContent(), "Work laptop");
    assert.equal(fake.passkeysOf(person).length, 1);
    mkdirSync("test-output", { recursive: true });
    await page.screenshot({ path: "test-output/passkeys.png", fullPage: true });

    await signOut(page, server.url);
    assert.equal(await signedInAs(page, server.url), null);

    env.front.resetCalls();
    await startSignIn(page, server.url, person);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/login/challenge`);
    assert.match((await page.textContent("main")) ?? "", /Sign in with your passkey\./);
    await page.getByRole("button", { name: "Sign in with your passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/profile`);
    assert.equal(await signedInAs(page, server.url), person);
    const sent = JSON.stringify([
      ...env.front.requests("InitiateAuth"),
      ...env.front.requests("RespondToAuthChallenge"),
    ]);
    assert.ok(
      !sent.includes('PASSWORD"') && !sent.includes("SRP_A") && !sent.includes(PASSWORD),
      "the passkey alone",
    );
    assert.equal(fake.stats.assertions, 1);
    assert.ok(firstAssertion, "the browser posted the assertion as JSON");
    assert.deepEqual(cspViolations, [], "the script ran under the pages' CSP");
  });

  it("refuses a replayed and a wrong assertion, counting the attempts, then takes the real one", async () => {
    await signOut(page, server.url);
    await startSignIn(page, server.url, person);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/login/challenge`);
    // Resolves once the page the post leads to has loaded (waitForLoadState alone may see the old one).
    const post = async (credential: string) => {
      const loaded = page.waitForEvent("load");
      await page.evaluate((value) => {
        const form = document.querySelector<HTMLFormElement>("form[data-passkey]")!;
        (form.elements.namedItem("credential") as HTMLInputElement).value = value;
        form.submit();
      }, credential);
      await loaded;
    };
    const refusedBefore = fake.stats.refused;
    await post(firstAssertion);
    await page.waitForLoadState();
    assert.match(
      (await page.textContent("main")) ?? "",
      /This passkey was not accepted\. Attempts left: 4\./,
    );
    const wrong = JSON.parse(firstAssertion);
    wrong.response.signature = `${wrong.response.signature.slice(0, -4)}AAAA`;
    await post(JSON.stringify(wrong));
    await page.waitForLoadState();
    assert.match((await page.textContent("main")) ?? "", /Attempts left: 3\./);
    assert.equal(fake.stats.refused - refusedBefore, 2);
    assert.equal(await signedInAs(page, server.url), null);
    await page.getByRole("button", { name: "Sign in with your passkey" }).click();
    await page.waitForURL(`${server.url}/accounts/profile`);
    assert.equal(await signedInAs(page, server.url), person);
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`signs another person in with an emailed code, JavaScript ${javaScriptEnabled ? "on" : "off"}`, async () => {
      const other = email(javaScriptEnabled ? "code-js" : "code-nojs");
      await env.pool.createUser({ email: other, password: PASSWORD, attributes: { given_name: "Otto" } });
      await fake.addUser(other, PASSWORD);
      const ctx = await browser.newContext({ javaScriptEnabled });
      const p = await ctx.newPage();
      try {
        await startSignIn(p, server.url, other);
        // Otto has no passkey: no passkey button, with or without the script.
        assert.equal(await p.getByRole("button", { name: "Use a passkey" }).count(), 0);
        await p.getByRole("button", { name: "Email me a code" }).click();
        await p.waitForURL(`${server.url}/accounts/login/challenge`);
        assert.match(
          (await p.textContent("main")) ?? "",
          /Enter the code we sent by email to c\*\*\*@example\.com/,
        );
        await p.getByLabel("Verification code").fill(fake.lastCode(other));
        await p.getByRole("button", { name: "Continue" }).click();
        await p.waitForURL(`${server.url}/accounts/profile`);
        assert.equal(await signedInAs(p, server.url), other);
      } finally {
        await ctx.close();
      }
    });
  }

  it("without JavaScript, a passkey holder is offered the factors that work without it", async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const p = await ctx.newPage();
    try {
      await startSignIn(p, server.url, person);
      assert.equal(await p.getByRole("button", { name: "Use a passkey" }).isVisible(), false);
      assert.ok(await p.getByRole("button", { name: "Email me a code" }).isVisible());
      // Where the passkey is asked for first, the page says why it cannot work and offers another way.
      await startSignIn(p, preferPasskey.url, person);
      assert.match((await p.textContent("main")) ?? "", /Passkeys need JavaScript/);
      assert.equal(await p.getByRole("button", { name: "Sign in with your passkey" }).isVisible(), false);
      await p.getByRole("button", { name: "Sign in another way" }).click();
      await p.waitForURL(`${preferPasskey.url}/accounts/login/challenge`);
      await p.getByRole("button", { name: "Email me a code" }).click();
      await p.waitForURL(`${preferPasskey.url}/accounts/login/challenge`);
      await p.getByLabel("Verification code").fill(fake.lastCode(person));
      await p.getByRole("button", { name: "Continue" }).click();
      await p.waitForURL(`${preferPasskey.url}/accounts/profile`);
      assert.equal(await signedInAs(p, preferPasskey.url), person);
    } finally {
      await ctx.close();
    }
  });

  it("in a pool that allows only passkeys: the passkey is the one way in, and a person without one cannot sign in", async () => {
    fake.setFactors(["WEB_AUTHN"]);
    try {
      await signOut(page, server.url);
      await startSignIn(page, server.url, person);
      const text = (await page.textContent("main")) ?? "";
      assert.doesNotMatch(text, /Sign in another way|Email me a code/);
      assert.equal(await page.locator('input[name="password"]').count(), 0);
      await page.getByRole("button", { name: "Use a passkey" }).click();
      await page.waitForURL(`${server.url}/accounts/login/challenge`);
      await page.getByRole("button", { name: "Sign in with your passkey" }).click();
      await page.waitForURL(`${server.url}/accounts/profile`);
      assert.equal(await signedInAs(page, server.url), person);

      const ctx = await browser.newContext();
      const p = await ctx.newPage();
      try {
        const nobody = email("no-passkey");
        await env.pool.createUser({ email: nobody, password: PASSWORD });
        await fake.addUser(nobody, PASSWORD);
        await p.goto(`${server.url}/accounts/login`);
        await p.getByLabel("Email or username").fill(nobody);
        await p.getByRole("button", { name: "Continue" }).click();
        await p.waitForLoadState();
        assert.equal(await p.textContent('[role="alert"]'), "Incorrect username or password.");
      } finally {
        await ctx.close();
      }
    } finally {
      fake.setFactors(["PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"]);
    }
  });

  it("renames and deletes the passkey on its page", async () => {
    await page.goto(`${server.url}/accounts/passkeys`);
    await page.getByLabel("Name").fill("Old laptop");
    await page.getByRole("button", { name: "Rename" }).click();
    await page.waitForURL(`${server.url}/accounts/passkeys?done=renamed`);
    assert.equal(await page.locator("ul.passkeys strong").textContent(), "Old laptop");
    await page.getByRole("button", { name: "Delete" }).click();
    await page.waitForURL(`${server.url}/accounts/passkeys?done=deleted`);
    assert.match((await page.textContent("main")) ?? "", /You have no passkeys yet\./);
    assert.equal(fake.passkeysOf(person).length, 0);
  });
});
