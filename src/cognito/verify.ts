/**
 * @module
 * Verifying Cognito tokens that API callers send (`Authorization: Bearer …`), with AWS's own verifier
 * (aws-jwt-verify): RS256 only, keys only from the pool's JWKS (a header's `jku`, `x5u` or `jwk` is never
 * followed), `kid` looked up exactly, `iss`, `token_use`, `client_id`/`aud` and `exp`/`nbf` checked.
 * The JWKS is cached; an unknown `kid` refetches it at most once per 10 s, one fetch at a time, with a
 * timeout, and cached keys keep working while the JWKS endpoint is down.
 */
import { JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { FetchError, JwksNotAvailableInCacheError } from "aws-jwt-verify/error";
import { SimpleJwksCache, SimplePenaltyBox } from "aws-jwt-verify/jwk";
import type { SessionConfig } from "../options.ts";

/** Which Cognito token a caller must present. */
export type TokenUse = "access" | "id";

/** The outcome of {@link Verifier.verify}. */
export type VerifyResult =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; reason: "invalid_token" | "jwks_unavailable" };

/** Verifies tokens of the configured pool and client. */
export interface Verifier {
  verify(token: string, tokenUse?: TokenUse): Promise<VerifyResult>;
}

/** Allowed clock skew for `exp`/`nbf`, in seconds. */
const graceSeconds = 30;
/** How long one JWKS fetch may take. */
const fetchTimeout = 3000;

/** Builds a verifier; nothing is fetched until the first token arrives. */
export function createVerifier(config: SessionConfig): Verifier {
  const { issuer } = config;
  // The keys come through the configured endpoint when there is one (the same way as every API call),
  // else from the issuer, where Cognito publishes them.
  const jwksUri = `${config.endpoint ? `${config.endpoint}/${config.userPoolId}` : issuer}/.well-known/jwks.json`;
  // The platform's fetch on every runtime (the library's own Node fetcher speaks https only), with a deadline.
  const fetcher = {
    async fetch(uri: string): Promise<ArrayBuffer> {
      const response = await fetch(uri, { signal: AbortSignal.timeout(fetchTimeout), redirect: "error" });
      if (!response.ok) throw new FetchError(uri, `status ${response.status}`);
      return response.arrayBuffer();
    },
  };
  const jwksCache = new SimpleJwksCache({ fetcher, penaltyBox: new SimplePenaltyBox({ waitSeconds: 10 }) });
  const verifiers = new Map<TokenUse, ReturnType<typeof make>>();
  const make = (tokenUse: TokenUse) =>
    JwtVerifier.create(
      {
        issuer,
        audience: null,
        jwksUri,
        graceSeconds,
        customJwtCheck: ({ header, payload }) => {
          if (header.alg !== "RS256") throw new Error("alg");
          // aws-jwt-verify checks `exp` only when it is there; Cognito always sets it, so a token
          // without one never came from the pool as issued, and would never expire.
          if (typeof payload.exp !== "number") throw new Error("exp");
          validateCognitoJwtFields(payload, { tokenUse, clientId: config.clientId });
        },
      },
      { jwksCache },
    );
  return {
    async verify(token, tokenUse = "access") {
      if (typeof token !== "string" || token.length > 16_384) return { ok: false, reason: "invalid_token" };
      let verifier = verifiers.get(tokenUse);
      if (!verifier) {
        verifier = make(tokenUse);
        verifiers.set(tokenUse, verifier);
      }
      try {
        const claims = (await verifier.verify(token)) as Record<string, unknown>;
        return { ok: true, claims };
      } catch (error) {
        // An unknown kid inside the 10 s penalty box, a bad signature or a bad claim: all "invalid".
        if (error instanceof FetchError || error instanceof JwksNotAvailableInCacheError)
          return { ok: false, reason: "jwks_unavailable" };
        return { ok: false, reason: "invalid_token" };
      }
    },
  };
}
