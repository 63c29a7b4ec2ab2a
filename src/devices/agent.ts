/**
 * @module
 * A coarse description of a browser from its User-Agent: the browser family and the system, in the form
 * Cognito uses for its own sessions (`Chrome / macOS`). No versions, no device model: enough for a person
 * to tell their sessions apart, too little to fingerprint anyone.
 */

const browsers: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\b(OPR|Opera)\//, "Opera"],
  [/\b(Firefox|FxiOS)\//, "Firefox"],
  [/(Chrome|CriOS|Chromium)\//, "Chrome"],
  [/\bVersion\/[\d.]+.*Safari\//, "Safari"],
];
const systems: [RegExp, string][] = [
  [/\bAndroid\b/, "Android"],
  [/\b(iPhone|iPad|iPod)\b/, "iOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bLinux\b/, "Linux"],
];

/**
 * `Browser / System` for a User-Agent, either part left out when unknown; undefined when neither is known.
 *
 * @example
 * ```ts
 * coarseAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
 * // "Chrome / Linux"
 * ```
 */
export function coarseAgent(userAgent: string | null | undefined): string | undefined {
  if (!userAgent) return undefined;
  const ua = userAgent.slice(0, 512);
  const browser = browsers.find(([re]) => re.test(ua))?.[1];
  const system = systems.find(([re]) => re.test(ua))?.[1];
  const parts = [browser, system].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join(" / ") : undefined;
}
