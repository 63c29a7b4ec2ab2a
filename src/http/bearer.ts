/**
 * @module
 * `warrant.bearer(handler)`: API routes for callers that send a Cognito access token as
 * `Authorization: Bearer <jwt>` (RFC 6750). Who the request acts for comes only from the verified token.
 */
import { groupsOf } from "../cognito/jwt.ts";
import type { TokenUse, Verifier } from "../cognito/verify.ts";

/** What a bearer-protected handler receives besides the request. */
export interface BearerContext {
  /** The verified claims of the token. */
  claims: Record<string, unknown>;
  /** The Cognito username the token was issued to. */
  username: string;
  /** The user's Cognito groups (`cognito:groups`). */
  groups: string[];
}

/** Options of `warrant.bearer`. */
export interface BearerOptions {
  /** Which token callers must send. @default "access" */
  tokenUse?: TokenUse;
  /** When set, the caller must be in at least one of these groups (else 403). */
  groups?: readonly string[];
}

const problem = (status: number, error: string, challenge?: string, extra: Record<string, string> = {}) =>
  new Response(JSON.stringify({ error }), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
      ...(challenge ? { "www-authenticate": challenge } : {}),
      ...extra,
    },
  });

/** Builds `bearer` over a verifier. */
export function createBearer(
  verifier: Verifier,
): (
  handler: (request: Request, context: BearerContext) => Response | Promise<Response>,
  options?: BearerOptions,
) => (request: Request) => Promise<Response> {
  return (handler, options = {}) =>
    async (request) => {
      const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(
        request.headers.get("authorization") ?? "",
      );
      if (!match) return problem(401, "unauthorized", 'Bearer realm="warrant"');
      const result = await verifier.verify(match[1]!, options.tokenUse ?? "access");
      if (!result.ok) {
        // Fail closed: without keys nothing verifies, and saying so lets clients retry instead of re-login.
        if (result.reason === "jwks_unavailable")
          return problem(503, "unavailable", undefined, { "retry-after": "5" });
        return problem(401, "invalid_token", 'Bearer realm="warrant", error="invalid_token"');
      }
      const { claims } = result;
      const groups = groupsOf(claims);
      if (options.groups && !options.groups.some((g) => groups.includes(g))) {
        return problem(403, "insufficient_scope", 'Bearer realm="warrant", error="insufficient_scope"');
      }
      const username = String(claims.username ?? claims["cognito:username"] ?? claims.sub ?? "");
      return handler(request, { claims, username, groups });
    };
}
