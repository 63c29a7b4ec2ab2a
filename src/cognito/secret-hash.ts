/**
 * @module
 * SECRET_HASH: what Cognito asks of app clients that have a secret.
 */
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { encodeBase64 } from "@oslojs/encoding";

const utf8 = new TextEncoder();

/**
 * Base64 of HMAC-SHA256(clientSecret, username + clientId). Synchronous on purpose: it is a few
 * microseconds, less than one await of Web Crypto.
 *
 * @example
 * ```ts
 * secretHash("alice", "client-id", "client-secret") // "kE2...="
 * ```
 */
export function secretHash(username: string, clientId: string, clientSecret: string): string {
  return encodeBase64(hmac(SHA256, utf8.encode(clientSecret), utf8.encode(username + clientId)));
}
