/**
 * @module
 * Building responses with the headers every auth response carries (SECURITY.md R6): `no-store` always;
 * on HTML a CSP that allows only the built-in stylesheet and forbids framing, `X-Frame-Options`,
 * `nosniff` and a strict `Referrer-Policy`.
 */
import { stylesheetHash } from "../pages/html.ts";

const csp = `default-src 'none'; style-src ${stylesheetHash}; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;

/**
 * Adds the headers every response of the handler carries. `scripts`: the CSP hashes of the inline
 * scripts an HTML page carries (an extension's passkey script); no other script may run.
 */
export function secure(
  headers: Headers,
  html: boolean,
  requestId: string,
  scripts?: readonly string[],
): Headers {
  headers.set("cache-control", "no-store");
  headers.set("x-content-type-options", "nosniff");
  headers.set("x-request-id", requestId);
  if (html) {
    headers.set("content-security-policy", scripts?.length ? `${csp}; script-src ${scripts.join(" ")}` : csp);
    headers.set("x-frame-options", "DENY");
    headers.set("referrer-policy", "same-origin");
  }
  return headers;
}

/** Options shared by the builders below. */
export interface Extra {
  requestId: string;
  cookies?: string[];
  headers?: Record<string, string>;
  /** HTML: CSP sources (`'sha256-…'`) of the page's inline scripts. */
  scripts?: readonly string[];
}

function base(extra: Extra, html: boolean, contentType?: string): Headers {
  const headers = new Headers(extra.headers);
  if (contentType) headers.set("content-type", contentType);
  for (const cookie of extra.cookies ?? []) headers.append("set-cookie", cookie);
  return secure(headers, html, extra.requestId, extra.scripts);
}

/** An HTML response. */
export function html(body: string, status: number, extra: Extra): Response {
  return new Response(body, { status, headers: base(extra, true, "text/html; charset=utf-8") });
}

/** A JSON response. */
export function json(data: unknown, status: number, extra: Extra): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: base(extra, false, "application/json; charset=utf-8"),
  });
}

/** A 303 redirect (after a POST, the browser follows with a GET). */
export function redirect(location: string, extra: Extra, status = 303): Response {
  const headers = base(extra, false);
  headers.set("location", location);
  return new Response(null, { status, headers });
}

/** True when the caller asked for JSON (by Accept, or by sending JSON). */
export function wantsJson(request: Request): boolean {
  const accept = request.headers.get("accept") ?? "";
  if (/^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "")) return true;
  return accept.includes("application/json") && !accept.includes("text/html");
}
