/**
 * @module
 * Node's OpenSSL for the SRP login's modular exponentiations: `base^exponent mod modulus` through
 * node:crypto's Diffie-Hellman (with `exponent` as the private key, `computeSecret(base)` is exactly that
 * power, in OpenSSL's constant-time Montgomery code). Pass it as the `modPow` option; the Node adapter
 * re-exports it. The result is the same number the library's own BigInt arithmetic computes (the
 * known-answer tests run both), about three times sooner on Node.
 */
import { createDiffieHellman, type DiffieHellman } from "node:crypto";
import type { ModPow } from "../src/cognito/srp.ts";

const bytesOf = (n: bigint, length?: number): Buffer => {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(length ? hex.padStart(length * 2, "0") : hex, "hex");
};

// One Diffie-Hellman object per modulus (SRP uses one group). setPrivateKey and computeSecret run
// back to back synchronously, so sharing it between logins is safe.
const groups = new Map<bigint, { dh: DiffieHellman; length: number }>();

/**
 * `base^exponent mod modulus` in OpenSSL, for a prime modulus of at least 2048 bits (OpenSSL's floor for
 * Diffie-Hellman; SRP's group is 3072). Throws when OpenSSL refuses the base (0, 1 or modulus − 1: no
 * honest Cognito challenge yields one) or the modulus, which stops the login.
 *
 * @example
 * ```ts
 * import { modPow } from "@warrant/cognito/adapters/node";
 * const warrant = createWarrant({ userPoolId, clientId, secret, modPow });
 * ```
 */
export const modPow: ModPow = (base, exponent, modulus) => {
  let group = groups.get(modulus);
  if (!group) {
    const prime = bytesOf(modulus);
    group = { dh: createDiffieHellman(prime, Buffer.from([2])), length: prime.length };
    groups.set(modulus, group);
  }
  group.dh.setPrivateKey(bytesOf(exponent));
  const result = BigInt(`0x${group.dh.computeSecret(bytesOf(base, group.length)).toString("hex") || "0"}`);
  // Past a prime modulus and a base in [2, modulus − 2] the power is never 0; OpenSSL answers 0 when it
  // declines the group (a modulus it deems too small), which must stop the login rather than sign with it.
  if (result === 0n) throw new RangeError("modPow: OpenSSL declined this modulus");
  return result;
};
