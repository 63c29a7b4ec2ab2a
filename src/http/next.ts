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

/** True when `value` and its decoding are both a plain same-origin path. */
function plainBothWays(value: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return false;
  }
  return plainPath(value) && plainPath(decoded);
}

/**
 * A same-origin path to redirect to, or `undefined` when `next` is absent or unsafe: it must be one
 * leading `/`, not `//` or `/\`, with no scheme and no control characters, before and after decoding,
 * and so must what URL normalisation makes of it (SECURITY.md C9: `/.//evil` and `/a/..//evil` resolve
 * to `//evil`), since that is what goes into `Location`.
 *
 * @example
 * ```ts
 * safeNext("/orders?id=1") // "/orders?id=1"
 * safeNext("//evil.com")   // undefined
 * safeNext("/.//evil.com") // undefined
 * ```
 */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== "string" || next.length === 0 || next.length > 2048) return undefined;
  if (!plainBothWays(next)) return undefined;
  const url = new URL(next, base);
  if (url.origin !== base) return undefined;
  const result = url.pathname + url.search + url.hash;
  return plainBothWays(result) ? result : undefined;
}
