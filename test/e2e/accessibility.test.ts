/**
 * WCAG 2.1 A/AA of every built-in page in a real Chromium, in both colour schemes, 390 px wide and at a
 * desktop width: axe-core (its source injected into the page) finds no violation; measured from the
 * computed styles, the primary buttons' text is ≥ 4.5:1 on the button, every input's border ≥ 3:1 on the
 * card, nothing scrolls sideways, and the card keeps a gutter on a phone. The staff page's "Disable" asks
 * first, without JavaScript. Screenshots of each page go to test-output/a11y/ for a look.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type NodeServer, serve } from "../../adapters/node.ts";
import { createDemoApp } from "../../examples/app.ts";
import { chromiumInstalled, launchChromium } from "../support/chromium.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const missing = !chromiumInstalled;
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const out = "test-output/a11y";

/** What one page measures in the browser. */
interface Measured {
  overflow: number;
  gutter: { left: number; right: number };
  buttons: { text: string; ratio: number }[];
  inputs: { name: string; ratio: number }[];
  /** The most lines any table cell's word-sized value (a status) takes: 1 unless it is broken into letters. */
  statusLines: number;
}

/**
 * Contrast and layout from computed styles, in the page. Colours are opaque in the stylesheet, except a
 * transparent background, which takes the nearest opaque one behind it.
 */
async function measure(page: Page): Promise<Measured> {
  return page.evaluate(() => {
    const rgb = (s: string) => {
      const m = /rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/.exec(s);
      return m
        ? { c: [Number(m[1]), Number(m[2]), Number(m[3])], a: m[4] === undefined ? 1 : Number(m[4]) }
        : undefined;
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const ratio = (a: number[], b: number[]) => {
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const background = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const bg = rgb(getComputedStyle(e).backgroundColor);
        if (bg && bg.a === 1) return bg.c;
      }
      return [255, 255, 255];
    };
    const main = document.querySelector("main")!.getBoundingClientRect();
    const buttons = [...document.querySelectorAll("button:not(.secondary), a.button:not(.secondary)")]
      .filter((b) => (b as HTMLElement).offsetParent !== null)
      .map((b) => ({
        text: (b.textContent ?? "").trim(),
        ratio: ratio(rgb(getComputedStyle(b).color)!.c, background(b)),
      }));
    const inputs = [...document.querySelectorAll("input:not([type=hidden])")].map((i) => ({
      name: (i as HTMLInputElement).name,
      ratio: ratio(rgb(getComputedStyle(i).borderTopColor)!.c, background(i.parentElement)),
    }));
    const lines = (el: Element) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    };
    return {
      statusLines: Math.max(0, ...[...document.querySelectorAll("td.status")].map(lines)),
      overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      gutter: { left: main.left, right: document.documentElement.clientWidth - main.right },
      buttons,
      inputs,
    };
  });
}

/** axe-core's WCAG 2.x A/AA violations of the page, one line each. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return result.violations.map(
      (v: { id: string; help: string; nodes: { target: string[]; failureSummary: string }[] }) =>
        `${v.id}: ${v.help} at ${v.nodes.map((n) => `${n.target.join(" ")} (${n.failureSummary})`).join("; ")}`,
    );
  });
}

const schemes = ["light", "dark"] as const;
const widths = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

describe("accessibility of the built-in pages in Chromium", {
  skip: missing ? "chromium is not installed (apt-get install chromium)" : false,
}, () => {
  let env: Env;
  let server: NodeServer;
  let browser: Browser;
  let member: string;
  let staff: string;
  let memberUsername: string;

  before(async () => {
    env = await createEnv();
    member = email("a11y-member");
    staff = email("a11y-staff");
    memberUsername = await env.pool.createUser({
      email: member,
      password: PASSWORD,
      attributes: { given_name: "Ally", family_name: "Member" },
    });
    await env.pool.createUser({ email: staff, password: PASSWORD, groups: ["admin"] });
    // Long addresses in the staff table, which must wrap rather than scroll at 390 px.
    for (let i = 0; i < 3; i++)
      await env.pool.createUser({
        email: email(`a-rather-long-address-for-the-table-${i}`),
        password: PASSWORD,
      });
    server = await serve(createDemoApp(warrantFor(env)), { port: 0 });
    browser = await launchChromium();
    mkdirSync(out, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await env?.close();
  });

  for (const scheme of schemes) {
    for (const size of widths) {
      it(`${scheme}, ${size.width} px: axe finds nothing; contrast, overflow and gutter hold`, async () => {
        const context = await browser.newContext({
          colorScheme: scheme,
          viewport: { width: size.width, height: size.height },
          // axe is injected as a script; the pages' CSP allows none (the pages themselves need no JS).
          bypassCSP: true,
        });
        // The functions run in the page are compiled by tsx, which names functions through a helper.
        await context.addInitScript("globalThis.__name = (f) => f;");
        const page = await context.newPage();
        const problems: string[] = [];
        const check = async (label: string) => {
          await page.screenshot({ path: `${out}/${label}-${scheme}-${size.name}.png`, fullPage: true });
          const m = await measure(page);
          if (m.overflow > 0) problems.push(`${label}: scrolls sideways by ${m.overflow} px`);
          if (m.statusLines > 1) problems.push(`${label}: a status broken over ${m.statusLines} lines`);
          if (size.width === 390 && (m.gutter.left < 8 || m.gutter.right < 8))
            problems.push(`${label}: card gutter ${m.gutter.left}/${m.gutter.right} px`);
          for (const b of m.buttons)
            if (b.ratio < 4.5) problems.push(`${label}: button "${b.text}" text ${b.ratio.toFixed(2)}:1`);
          for (const i of m.inputs)
            if (i.ratio < 3) problems.push(`${label}: input ${i.name} border ${i.ratio.toFixed(2)}:1`);
          for (const v of await axeViolations(page)) problems.push(`${label}: ${v}`);
        };
        const visit = async (path: string, label: string) => {
          await page.goto(`${server.url}${path}`);
          await check(label);
        };
        const signIn = async (name: string) => {
          await page.goto(`${server.url}/accounts/login`);
          await page.getByLabel("Email or username").fill(name);
          await page.getByLabel("Password").fill(PASSWORD);
          await page.getByRole("button", { name: "Sign in" }).click();
          await page.waitForURL(/\/accounts\/profile$/);
        };
        const signOut = async () => {
          await page.goto(`${server.url}/accounts/profile`);
          await page.getByRole("button", { name: "Sign out" }).click();
          await page.waitForURL(/\/accounts\/login$/);
        };
        try {
          await visit("/accounts/login", "login");
          await page.getByLabel("Email or username").fill(member);
          await page.getByLabel("Password").fill("Wrong-Password-1");
          await page.getByRole("button", { name: "Sign in" }).click();
          await page.waitForLoadState();
          await check("login-failed");
          await visit("/accounts/login?confirmed=1", "login-notice");
          await visit("/accounts/password/forgot", "forgot");
          await visit(`/accounts/password/reset?sent=1&username=${encodeURIComponent(member)}`, "reset");
          await visit("/accounts/signup", "signup");
          await visit(`/accounts/signup/confirm?sent=1&username=${encodeURIComponent(member)}`, "confirm");

          await signIn(member);
          await check("profile");
          await visit("/accounts/profile?password=changed", "profile-notice");
          await visit("/accounts/profile/update", "profile-update");
          await visit("/accounts/password/change", "password-change");
          await visit("/accounts/admin/users", "admin-forbidden");
          await signOut();

          await signIn(staff);
          await visit("/accounts/admin/users", "admin-users");
          await visit(`/accounts/admin/users/${encodeURIComponent(memberUsername)}`, "admin-user");
          // "Disable" only opens the question; the real button is inside.
          const yes = page.getByRole("button", { name: "Yes, disable this user" });
          assert.equal(await yes.isVisible(), false);
          await page.getByText("Disable and sign out").click();
          assert.equal(await yes.isVisible(), true);
          await check("admin-user-confirm");
        } finally {
          await context.close();
        }
        assert.deepEqual(problems, []);
      });
    }
  }

  it("the staff table wraps at 390 px instead of scrolling, and disabling needs no JavaScript", async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/accounts/login`);
      await page.getByLabel("Email or username").fill(staff);
      await page.getByLabel("Password").fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(/\/accounts\/profile$/);
      await page.goto(`${server.url}/accounts/admin/users`);
      const table = await page.locator("table").boundingBox();
      const main = await page.locator("main").boundingBox();
      assert.ok(table && main && table.x + table.width <= main.x + main.width, "the table fits in the card");
      // The id column waits for room (it is on each user's page).
      assert.equal(await page.locator("th.wide-only").isVisible(), false);
      await page.goto(`${server.url}/accounts/admin/users/${encodeURIComponent(memberUsername)}`);
      await page.getByText("Disable and sign out").click();
      await page.getByRole("button", { name: "Yes, disable this user" }).click();
      await page.waitForURL(/done=disable$/);
      assert.match((await page.textContent('[role="status"]')) ?? "", /disabled and signed out/);
      await page.getByRole("button", { name: "Enable" }).click();
      await page.waitForURL(/done=enable$/);
    } finally {
      await context.close();
    }
  });
});
