/**
 * @module
 * FAKE @sveltejs/kit and its generated `./$types`, for the README's SvelteKit recipe (Kit is not
 * installed: it needs Vite, Svelte and TypeScript 6). `redirect(status, location)` throws, as Kit 2+
 * does; the event types hold only what the recipe reads.
 */

/** What FAKE `redirect()` throws (Kit's `Redirect`). */
export class FakeKitRedirect {
  constructor(
    readonly status: number,
    readonly location: string,
  ) {}
}

/** FAKE `redirect()` of @sveltejs/kit. */
export function redirect(status: 300 | 301 | 302 | 303 | 307 | 308, location: string): never {
  throw new FakeKitRedirect(status, location);
}

/** The part of Kit's RequestEvent the recipe uses. */
export interface RequestEvent {
  request: Request;
  url: URL;
  params: Record<string, string>;
}

/** FAKE generated `RequestHandler` of `./$types`. */
export type RequestHandler = (event: RequestEvent) => Response | Promise<Response>;

/** FAKE generated `PageServerLoad` of `./$types`. */
export type PageServerLoad = (event: RequestEvent) => Promise<Record<string, unknown>>;
