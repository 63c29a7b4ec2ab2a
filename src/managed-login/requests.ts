/**
 * @module
 * Managed logins under way: `oauth-requests:<sha-256 of the state>` holds what the callback needs (the
 * PKCE verifier, the nonce, the redirect URI, where to go next) and the value of the cookie that binds it
 * to the browser that started it, sealed like session tokens, for `managedLoginTtl`. The state is opaque,
 * 32 random bytes, and single use: the callback takes the record (deleted before Cognito is called), so a
 * replayed state finds nothing. The record goes back only when the token endpoint did not answer, so a
 * reload after an outage can try again.
 */

import { managedLoginTtl } from "../limits.ts";
import { randomToken } from "../sessions/cookie.ts";
import type { Keyring, Sealed } from "../sessions/crypto.ts";
import { sha256Hex } from "../sha256.ts";
import type { Store } from "../storage.ts";

/** What the callback needs of the request the start route made. */
export interface AuthorizationRequest {
  /** The value of the browser's `oauth` cookie when the login started. */
  binding: string;
  /** The PKCE code verifier (its S256 challenge went to Cognito). */
  verifier: string;
  /** The nonce the ID token must carry. */
  nonce: string;
  redirectUri: string;
  /** A safe path to go to after the login. */
  next?: string;
  createdAt: number;
}

/** The managed logins under way. */
export interface AuthorizationRequests {
  /** Stores a request; its state, for the authorization URL. */
  put(request: AuthorizationRequest): Promise<string>;
  /** Takes (and deletes) the request of `state`; `null` when unknown, malformed, expired or already taken. */
  take(state: unknown): Promise<AuthorizationRequest | null>;
  /** Puts a taken request back for what is left of its lifetime (the token endpoint did not answer). */
  restore(state: string, request: AuthorizationRequest): Promise<void>;
}

const statePattern = /^[A-Za-z0-9_-]{43}$/;
const keyOf = (state: string) => `oauth-requests:${sha256Hex(state)}`;

function isRequest(value: unknown): value is AuthorizationRequest {
  const r = value as AuthorizationRequest;
  return (
    typeof r === "object" &&
    r !== null &&
    typeof r.binding === "string" &&
    typeof r.verifier === "string" &&
    r.verifier.length >= 43 &&
    typeof r.nonce === "string" &&
    typeof r.redirectUri === "string" &&
    typeof r.createdAt === "number" &&
    (r.next === undefined || typeof r.next === "string")
  );
}

/** Builds the store of managed logins under way. */
export function createAuthorizationRequests(deps: {
  store: Store;
  keyring: Keyring;
  now: () => number;
}): AuthorizationRequests {
  const { store, keyring, now } = deps;
  // States taken in this instance, until they would have expired: a second callback that read the record
  // before the first one deleted it is still a replay. (Storage has no atomic take; across instances the
  // delete before the code exchange and Cognito's single-use code keep a state to one login.)
  const taken = new Map<string, number>();
  const left = (request: AuthorizationRequest) => managedLoginTtl * 1000 - (now() - request.createdAt);

  const write = async (key: string, request: AuthorizationRequest) => {
    await store.set(key, await keyring.seal(JSON.stringify(request), key), Math.max(1, left(request) / 1000));
  };

  return {
    async put(request) {
      const state = randomToken();
      await write(keyOf(state), request);
      return state;
    },

    async take(state) {
      if (typeof state !== "string" || !statePattern.test(state)) return null;
      const key = keyOf(state);
      const t = now();
      for (const [k, until] of taken) if (until <= t) taken.delete(k);
      if (taken.has(key)) return null;
      taken.set(key, t + managedLoginTtl * 1000);
      const sealed = await store.get<Sealed>(key);
      if (!sealed) return null;
      await store.remove(key);
      let request: unknown = null;
      try {
        const plain = typeof sealed === "object" ? await keyring.open(sealed, key) : null;
        request = plain === null ? null : JSON.parse(plain);
      } catch {}
      if (!isRequest(request) || left(request) <= 0) return null;
      return request;
    },

    async restore(state, request) {
      if (left(request) <= 0) return;
      const key = keyOf(state);
      taken.delete(key);
      await write(key, request);
    },
  };
}
