/**
 * @module
 * The demo application (django-warrant's `cdu`): the account pages, a protected home page and an API
 * route behind `withApiKey`. The same handler runs on every runtime.
 */
import { type Warrant, withApiKey } from "../src/mod.ts";

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title></head><body style="font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">${body}</body></html>`;

const escapeHtml = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The demo's whole app as one Web handler. */
export function createDemoApp(warrant: Warrant): (request: Request) => Promise<Response> {
  const base = warrant.config.basePath;
  const home = warrant.protect((_request, { user }) => {
    const name = user.first_name ?? user.email ?? user.username;
    return new Response(
      page(
        "Home",
        `<h1>Hello, ${escapeHtml(name)}</h1>
<p>You are signed in. This page is protected by <code>warrant.protect</code>.</p>
<ul><li><a href="${base}/profile">Your profile</a></li><li><a href="${base}/profile/update">Edit profile</a></li><li><a href="${base}/logout">Sign out</a></li></ul>`,
      ),
      { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
    );
  });
  const api = withApiKey((_request, { apiKey }) =>
    Response.json({ hello: "world", apiKey: apiKey === undefined ? null : "present" }),
  );

  return async (request) => {
    const response = await warrant.handler(request);
    if (response.status !== 404) return response;
    const { pathname } = new URL(request.url);
    if (pathname === "/") return home(request);
    if (pathname === "/api/hello") return api(request);
    return response;
  };
}
