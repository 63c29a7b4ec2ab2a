/**
 * @module
 * The one check of where a redirect after login may go (SECURITY.md R5). Every `next` goes through it.
 */

const base = "http://warrant.invalid";
// Control characters (incl. tab, CR, LF) and backslashes: browsers strip or reinterpret them.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const unsafe = /[\u0000-\u001f\u007f\\]/;

function plainPath(value: string): boolean {
  return value.startsWith("/") && !value.startsWith("//") && !unsafe.test(value);
}

/**
 * A same-origin path to redirect to, or `undefined` when `next` is absent or unsafe: it must be one
 * leading `/`, not `//` or `/\`, with no scheme and no control characters, before and after decoding.
 *
 * @example
 * ```ts
 * safeNext("/orders?id=1") // "/orders?id=1"
 * safeNext("//evil.com")   // undefined
 * ```
 */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return undefined;
  }
  if (!plainPath(next) || !plainPath(decoded)) return undefined;
  const url = new URL(next, base);
  if (url.origin !== base) return undefined;
  return url.pathname + url.search + url.hash;
}
