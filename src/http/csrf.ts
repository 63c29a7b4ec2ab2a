/**
 * @module
 * CSRF tokens for HTML forms (SECURITY.md R2): an HMAC of what the form is bound to — the session id
 * when signed in, else a random pre-session cookie — so a token from another session does not verify,
 * and logging in (a new session id) rotates it. Compared in constant time; every configured secret
 * verifies, the first one signs.
 */
import { hmac } from "@oslojs/crypto/hmac";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { SHA256 } from "../sha256.ts";

const utf8 = new TextEncoder();

/** Signs and checks CSRF tokens. */
export interface Csrf {
  token(binding: string): string;
  verify(binding: string, token: unknown): boolean;
}

/** Builds the CSRF signer from the configured secrets (keys are purpose-bound derivations). */
export function createCsrf(secrets: readonly string[]): Csrf {
  const keys = secrets.map((secret) =>
    hmac(SHA256, utf8.encode(secret), utf8.encode("warrant/cognito csrf v1")),
  );
  const sign = (key: Uint8Array, binding: string) => hmac(SHA256, key, utf8.encode(binding));
  return {
    token: (binding) => encodeBase64urlNoPadding(sign(keys[0]!, binding)),
    verify(binding, token) {
      if (typeof token !== "string" || token.length !== 43) return false;
      let given: Uint8Array;
      try {
        given = decodeBase64urlIgnorePadding(token);
      } catch {
        return false;
      }
      let ok = false;
      for (const key of keys) ok = constantTimeEqual(sign(key, binding), given) || ok;
      return ok;
    },
  };
}
