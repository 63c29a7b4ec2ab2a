/**
 * @module
 * SECRET_HASH: what Cognito asks of app clients that have a secret. The only place it is computed.
 */
import { hmac } from "@oslojs/crypto/hmac";
import { encodeBase64 } from "@oslojs/encoding";
import type { WarrantConfig } from "../options.ts";
import { SHA256 } from "../sha256.ts";

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

/**
 * Adds `SECRET_HASH` to auth or challenge parameters when the client has a secret.
 *
 * @example
 * ```ts
 * withSecretHash(config, "alice", { USERNAME: "alice", PASSWORD: "..." })
 * ```
 */
export function withSecretHash(
  config: Pick<WarrantConfig, "clientId" | "clientSecret">,
  username: string,
  parameters: Record<string, string>,
): Record<string, string> {
  return config.clientSecret
    ? { ...parameters, SECRET_HASH: secretHash(username, config.clientId, config.clientSecret) }
    : parameters;
}

/**
 * The `SecretHash` field of the calls that name a user without a token (forgot, reset, sign-up,
 * confirm), or nothing when the client has no secret.
 *
 * @example
 * ```ts
 * new SignUpCommand({ ClientId, Username, Password, ...secretHashField(config, Username) })
 * ```
 */
export function secretHashField(
  config: Pick<WarrantConfig, "clientId" | "clientSecret">,
  username: string,
): { SecretHash?: string } {
  return config.clientSecret
    ? { SecretHash: secretHash(username, config.clientId, config.clientSecret) }
    : {};
}
