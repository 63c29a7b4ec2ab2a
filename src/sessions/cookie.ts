/**
 * @module
 * The session cookie: its name, reading it from a request, and the Set-Cookie values that issue and
 * expire it (HttpOnly, SameSite=Lax, Path=/, no Domain; `__Host-` and Secure on https).
 */

/** A session token is 32 random bytes in base64url without padding: 43 characters. */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/;

/** True when the site is served over https (directly, or as the configured origins say). */
export function isSecure(request: Request, origins: readonly string[] | undefined): boolean {
  if (origins?.length) return origins[0]!.startsWith("https:");
  return request.url.startsWith("https:");
}

/** The cookie's full name for a request. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

/**
 * The session token from the request's cookies, or null when absent or not of the token's form
 * (an oversized, malformed or foreign value never reaches storage).
 */
export function readToken(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header || header.length > 8192) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return tokenPattern.test(value) ? value : null;
  }
  return null;
}

/** The Set-Cookie value that issues a session token for `maxAge` seconds. */
export function issueCookie(name: string, token: string, maxAge: number, secure: boolean): string {
  return `${name}=${token}; Path=/; Max-Age=${Math.max(0, Math.floor(maxAge))}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

/** The Set-Cookie value that removes the session cookie. */
export function expireCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
