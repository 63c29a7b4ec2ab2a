/**
 * @module
 * Reading the claims of a token that came straight from Cognito (never of one a client sent: those go
 * through `verifyToken`), and the groups a token names.
 */
import { decodeBase64urlIgnorePadding } from "@oslojs/encoding";

/** The payload of a JWT, unverified; `{}` when it is not a JWT. */
export function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    const part = token.split(".")[1];
    if (!part) return {};
    const claims = JSON.parse(new TextDecoder().decode(decodeBase64urlIgnorePadding(part)));
    return typeof claims === "object" && claims !== null ? claims : {};
  } catch {
    return {};
  }
}

/**
 * The Cognito groups (`cognito:groups`) in a token's claims: strings only, `[]` when absent.
 *
 * @example
 * ```ts
 * groupsOf(unverifiedClaims(tokens.idToken)) // ["admin"]
 * ```
 */
export function groupsOf(claims: Record<string, unknown>): string[] {
  const groups = claims["cognito:groups"];
  return Array.isArray(groups) ? groups.filter((g): g is string => typeof g === "string") : [];
}
