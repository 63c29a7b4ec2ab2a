/**
 * @module
 * FAKE next/headers and next/navigation, for the README's Next.js recipe (Next is not installed: tens
 * of megabytes and a build step). Only what the recipe calls, with Next's meaning: `headers()` resolves
 * to the current request's headers (Next 15+: a promise), `redirect()` throws and never returns.
 */

let current: Headers = new Headers();

/** The test sets the request a server component renders for. */
export function setRequestHeaders(headers: Headers): void {
  current = headers;
}

/** FAKE `headers()` of next/headers. */
export async function headers(): Promise<Headers> {
  return current;
}

/** What FAKE `redirect()` throws (Next throws an error whose digest carries the URL). */
export class FakeNextRedirect extends Error {
  constructor(readonly url: string) {
    super("NEXT_REDIRECT");
  }
}

/** FAKE `redirect()` of next/navigation: throws, as Next's does. */
export function redirect(url: string): never {
  throw new FakeNextRedirect(url);
}
