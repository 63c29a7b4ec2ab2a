/**
 * @module
 * FAKE react-router (`redirect`) and the route types it generates (`./+types/<route>`), for the README's
 * React Router recipe (React Router is not installed: it needs React 19). `redirect(url)` returns a 302
 * Response with Location, as React Router's does; loaders and actions get `{ request, params, context }`.
 */

/** FAKE `redirect()` of react-router. */
export function redirect(url: string, init: number | ResponseInit = 302): Response {
  const status = typeof init === "number" ? init : (init.status ?? 302);
  return new Response(null, { status, headers: { location: url } });
}

/** What React Router hands a loader or an action. */
export interface Args {
  request: Request;
  params: Record<string, string | undefined>;
  context: unknown;
}
