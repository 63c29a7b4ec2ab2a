/**
 * @module
 * FAKE `astro` types and the `Astro` global of a page's frontmatter, for the README's Astro recipe (Astro
 * is not installed). `Astro.redirect(path, status)` answers a redirect Response, as Astro's does.
 */

/** The part of Astro's APIContext the recipe uses. */
export interface APIContext {
  request: Request;
  url: URL;
  params: Record<string, string | undefined>;
}

/** FAKE `APIRoute` of astro. */
export type APIRoute = (context: APIContext) => Response | Promise<Response>;

/** FAKE `Astro` global of a page's frontmatter. */
export function fakeAstro(request: Request) {
  return {
    request,
    url: new URL(request.url),
    redirect: (path: string, status = 302) => new Response(null, { status, headers: { location: path } }),
  };
}
