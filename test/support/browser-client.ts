/**
 * @module
 * A small HTTP client that behaves like a browser towards a Web handler: it keeps cookies, sends
 * same-origin `Sec-Fetch-Site`/`Origin` on posts, and reads CSRF tokens out of forms.
 */

export type Handler = (request: Request) => Promise<Response>;

/** The CSRF token of the first form in a page. */
export function csrfOf(html: string): string {
  const match = /name="csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no csrf field in page");
  return match[1]!;
}

/** The `name=value` part of each Set-Cookie header. */
export function setCookies(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    out[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return out;
}

/** A cookie-keeping client for one origin. */
export class Client {
  readonly jar = new Map<string, string>();
  constructor(
    readonly handler: Handler,
    readonly origin = "http://localhost",
  ) {}

  get cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.jar.size && !("cookie" in headers)) headers.cookie = this.cookieHeader;
    const method = init.method ?? "GET";
    if (method !== "GET" && !("sec-fetch-site" in headers) && !("origin" in headers)) {
      headers["sec-fetch-site"] = "same-origin";
      headers.origin = this.origin;
    }
    const response = await this.handler(new Request(this.origin + path, { ...init, method, headers }));
    for (const [name, value] of Object.entries(setCookies(response))) {
      if (value === "") this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.send(path, { headers });
  }

  /** Posts a urlencoded form. */
  form(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.send(path, {
      method: "POST",
      body: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }

  /** Posts JSON and asks for JSON. */
  json(path: string, body: unknown, headers: Record<string, string> = {}) {
    return this.send(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
    });
  }

  /** GET the page that holds a form, then post it with its CSRF token. */
  async submit(pagePath: string, actionPath: string, fields: Record<string, string>) {
    const page = await this.get(pagePath);
    const csrf = csrfOf(await page.text());
    return this.form(actionPath, { csrf, ...fields });
  }

  /** Logs in through the HTML form. */
  login(username: string, password: string, next?: string) {
    return this.submit(
      `/accounts/login${next ? `?next=${encodeURIComponent(next)}` : ""}`,
      "/accounts/login",
      {
        username,
        password,
        ...(next ? { next } : {}),
      },
    );
  }
}
