/**
 * @module
 * django-warrant's `APIKeyMiddleware`, as a wrapper: the API Gateway key a caller sends in the
 * `Authorization-ID` header, handed to the application's handler. Never read from the URL, never logged.
 */

import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { WarrantError } from "./errors.ts";
import { sha256 } from "./sha256.ts";

/** The header that carries the key (django-warrant's `HTTP_AUTHORIZATION_ID`). */
export const apiKeyHeader = "authorization-id";

/** Longest key accepted; longer values count as absent. */
const maxKeyLength = 512;

/**
 * The API key of a request, or `undefined` when the header is absent or empty.
 *
 * @example
 * ```ts
 * const key = getApiKey(request);
 * ```
 */
export function getApiKey(request: Request): string | undefined {
  const value = request.headers.get(apiKeyHeader)?.trim();
  return value && value.length <= maxKeyLength ? value : undefined;
}

const utf8 = new TextEncoder();

/**
 * Compares two keys in constant time (hashes first, so lengths do not leak either).
 *
 * @example
 * ```ts
 * keysEqual(given, expected) // true | false
 * ```
 */
export function keysEqual(a: string, b: string): boolean {
  return constantTimeEqual(sha256(utf8.encode(a)), sha256(utf8.encode(b)));
}

/** Options of {@link withApiKey}. */
export interface ApiKeyOptions {
  /** Answer 401 `{ required: true }` when the header is absent. @default false */
  required?: boolean;
  /** Accept only these keys (compared in constant time). */
  keys?: readonly string[];
  /**
   * Decide about a present key yourself (e.g. look it up, or `validateKey` of
   * `@warrant/cognito/api-gateway`); use `keysEqual` for comparisons. When it throws a `WarrantError` for
   * an outage (status 503 or 429) the answer is 503 with `Retry-After`, never a pass.
   */
  validate?: (key: string, request: Request) => boolean | Promise<boolean>;
}

const reply = (status: number, body: Record<string, unknown>, headers: Record<string, string>) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
const unauthorized = (body: Record<string, unknown>) =>
  reply(401, body, { "www-authenticate": 'ApiKey header="Authorization-ID"' });

/** The validator's answer; an outage it reports is a 503, never a pass and never a refusal. */
async function validated(
  validate: NonNullable<ApiKeyOptions["validate"]>,
  key: string,
  request: Request,
): Promise<boolean | Response> {
  try {
    return await validate(key, request);
  } catch (error) {
    if (error instanceof WarrantError && (error.status === 503 || error.status === 429))
      return reply(503, { error: "unavailable" }, { "retry-after": "5" });
    throw error;
  }
}

/**
 * Wraps a handler so it receives the caller's API key.
 *
 * @example
 * ```ts
 * const api = withApiKey((request, { apiKey }) => Response.json({ apiKey: apiKey !== undefined }), { required: true });
 * ```
 */
export function withApiKey(
  handler: (request: Request, context: { apiKey: string | undefined }) => Response | Promise<Response>,
  options: ApiKeyOptions = {},
): (request: Request) => Promise<Response> {
  return async (request) => {
    const apiKey = getApiKey(request);
    if (apiKey === undefined) {
      if (options.required) return unauthorized({ error: "unauthorized", required: true });
      return handler(request, { apiKey: undefined });
    }
    if (options.keys) {
      let ok = false;
      // Every configured key is compared, so the time does not tell which one matched.
      for (const key of options.keys) ok = keysEqual(apiKey, key) || ok;
      if (!ok) return unauthorized({ error: "unauthorized" });
    }
    if (options.validate) {
      const verdict = await validated(options.validate, apiKey, request);
      if (verdict instanceof Response) return verdict;
      if (!verdict) return unauthorized({ error: "unauthorized" });
    }
    return handler(request, { apiKey });
  };
}
