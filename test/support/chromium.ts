/**
 * @module
 * The real Chromium of the browser tests: Debian's package at /usr/bin/chromium, driven by playwright-core,
 * headless and quiet (no background networking, updates or sync). Missing, its tests skip, except under
 * CI=true, where .ci/run installs it and a missing browser fails the run.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const executablePath = "/usr/bin/chromium";
const missing = !existsSync(executablePath);
if (missing && process.env.CI === "true")
  throw new Error("CI=true and /usr/bin/chromium is missing: .ci/run installs it");

/** The `skip` of a browser suite: a reason when Chromium is not installed. */
export const chromiumSkip: string | false = missing
  ? "chromium is not installed (apt-get install chromium)"
  : false;

/** Starts the headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
