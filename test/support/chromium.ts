/**
 * @module
 * Debian's Chromium (`/usr/bin/chromium`) for the browser tests, driven by playwright-core, with the
 * flags that keep it quiet and offline in a container.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const chromiumPath = "/usr/bin/chromium";

/** True when the browser tests can run here. */
export const chromiumInstalled: boolean = existsSync(chromiumPath);

/** Starts a headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
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
