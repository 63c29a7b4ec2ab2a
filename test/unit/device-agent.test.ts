/** The coarse user agent of the devices extension: family and system only, never versions. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { coarseAgent } from "../../src/devices/agent.ts";

describe("coarseAgent", () => {
  it("names the browser family and the system", () => {
    const table: [string, string | undefined][] = [
      [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
        "Chrome / Linux",
      ],
      [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
        "Chrome / Linux",
      ],
      [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0",
        "Edge / Windows",
      ],
      [
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:133.0) Gecko/20100101 Firefox/133.0",
        "Firefox / macOS",
      ],
      [
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        "Safari / iOS",
      ],
      [
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
        "Chrome / Android",
      ],
      ["curl/8.5.0", undefined],
      ["", undefined],
      [null as unknown as string, undefined],
    ];
    for (const [ua, expected] of table) assert.equal(coarseAgent(ua), expected, ua);
  });

  it("keeps no version or model and reads at most 512 characters", () => {
    const agent = coarseAgent(
      `Mozilla/5.0 (Linux; Android 14; SM-S928B) Chrome/131.0.6778.39 ${"x".repeat(10_000)}`,
    );
    assert.equal(agent, "Chrome / Android");
    assert.equal(coarseAgent(`${"x".repeat(600)} Firefox/133.0`), undefined);
  });
});
