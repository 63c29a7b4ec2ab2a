/**
 * @module
 * Every cookie of the library, named, parsed and written here and nowhere else:
 * - `session`: the session token (`__Host-warrant` on https), for `session.maxAge`;
 * - `csrf`: the pre-session value anonymous visitors' forms are bound to (SECURITY.md R2), for the browser session;
 * - `challenge`: the id of a pending login challenge, for the challenge's TTL;
 * - `signup`: the id of a held SignUp session (sign-in after the confirmation), for the same TTL.
 * - `oauth`: the value that binds a managed login under way to this browser, for `managedLoginTtl`.
 * - `device`: the handle of this browser's remembered Cognito devices (the devices extension), for
 *   `deviceCookieAge`; never the session.
 * All are HttpOnly, SameSite=Lax, Path=/, no Domain; `__Host-` and Secure on https (S7). Each value is
 * 32 random bytes in base64url: anything else in a cookie is treated as absent (S3).
 */
import { challengeTtl, deviceCookieAge, managedLoginTtl } from "../limits.ts";
import type { WarrantConfig } from "../options.ts";

/** The value of every cookie: 32 random bytes in base64url without padding, 43 characters. */
export const tokenPattern: RegExp = /^[A-Za-z0-9_-]{43}$/;

/** The library's cookies. */
export type CookieKind = "session" | "csrf" | "challenge" | "signup" | "oauth" | "device";

/** True when the site is served over https (directly, or as the configured origins say). */
export function isSecure(request: Request, origins: readonly string[] | undefined): boolean {
  if (origins?.length) return origins[0]!.startsWith("https:");
  return request.url.startsWith("https:");
}

/** The cookie's full name for a request: `__Host-` on https. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

/**
 * The raw value of cookie `name` in the request, or null. An oversized Cookie header is ignored whole.
 *
 * @example
 * ```ts
 * readCookie(new Request("http://x/", { headers: { cookie: "a=1; b=2" } }), "b") // "2"
 * ```
 */
export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header || header.length > 8192) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    return part.slice(eq + 1).trim();
  }
  return null;
}

/** A new cookie value: 32 bytes from the platform CSPRNG, base64url. */
export function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The library's cookies for one configuration. */
export interface Cookies {
  /** The cookie's name for a request that is (or is not) on https. */
  name(kind: CookieKind, secure: boolean): string;
  /** The cookie's value when it has the form of a token; null when absent or anything else. */
  read(request: Request, kind: CookieKind, secure: boolean): string | null;
  /** True when the request carries the cookie at all, whatever its value. */
  has(request: Request, kind: CookieKind, secure: boolean): boolean;
  /** The Set-Cookie value that issues the cookie. */
  issue(kind: CookieKind, value: string, secure: boolean): string;
  /** The Set-Cookie value that removes the cookie. */
  expire(kind: CookieKind, secure: boolean): string;
}

/** Builds the cookies from the options, once per warrant. */
export function createCookies(config: Pick<WarrantConfig, "session">): Cookies {
  const base = config.session.cookieName;
  const bases: Record<CookieKind, string> = {
    session: base,
    csrf: `${base}_csrf`,
    challenge: `${base}_challenge`,
    signup: `${base}_signup`,
    oauth: `${base}_oauth`,
    device: `${base}_device`,
  };
  // The csrf cookie lives as long as the browser session; the others as long as what they stand for.
  const maxAges: Record<CookieKind, number | undefined> = {
    session: config.session.maxAge,
    csrf: undefined,
    challenge: challengeTtl,
    signup: challengeTtl,
    oauth: managedLoginTtl,
    device: deviceCookieAge,
  };
  const attributes = (secure: boolean, maxAge: number | undefined) =>
    `; Path=/${maxAge === undefined ? "" : `; Max-Age=${Math.max(0, Math.floor(maxAge))}`}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
  const name = (kind: CookieKind, secure: boolean) => cookieName(bases[kind], secure);
  return {
    name,
    read(request, kind, secure) {
      const value = readCookie(request, name(kind, secure));
      return value !== null && tokenPattern.test(value) ? value : null;
    },
    has: (request, kind, secure) => readCookie(request, name(kind, secure)) !== null,
    issue: (kind, value, secure) => `${name(kind, secure)}=${value}${attributes(secure, maxAges[kind])}`,
    expire: (kind, secure) => `${name(kind, secure)}=${attributes(secure, 0)}`,
  };
}
