/**
 * @module
 * Cognito tokens at rest: AES-256-GCM (Web Crypto) under keys derived with HKDF from the configured
 * secrets. Each sealed value names the key id that sealed it, so secrets rotate: the first secret
 * seals, every listed secret opens. The storage key of the record is the additional data, so a sealed
 * value moved to another record does not open.
 */

import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from "@oslojs/encoding";
import { sha256Hex } from "../sha256.ts";

const utf8 = new TextEncoder();
const utf8Decode = new TextDecoder();

/** A sealed value as stored: key id, IV and ciphertext (with the GCM tag). */
export interface Sealed {
  k: string;
  iv: string;
  ct: string;
}

/** Seals and opens values under the configured secrets. */
export interface Keyring {
  /** The key id that seals. */
  readonly current: string;
  /** True when a key id belongs to a configured secret. */
  knows(kid: unknown): boolean;
  seal(plain: string, aad: string): Promise<Sealed>;
  /** `null` when the key is unknown, or the value was altered or moved: callers treat it as invalid. */
  open(sealed: Sealed, aad: string): Promise<string | null>;
}

/** A key id that does not reveal the secret: a labelled hash, truncated. */
export function keyId(secret: string): string {
  return sha256Hex(`warrant/cognito key id\0${secret}`).slice(0, 12);
}

/** Derives a purpose-bound key from a secret (HKDF-SHA-256). */
async function deriveAesKey(secret: string): Promise<CryptoKey> {
  const ikm = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: utf8.encode("warrant/cognito"),
      info: utf8.encode("session tokens v1"),
    },
    ikm,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** Builds the keyring; keys are derived lazily, once, on first use. */
export function createKeyring(secrets: readonly string[]): Keyring {
  const keys = new Map<string, { secret: string; key?: Promise<CryptoKey> }>();
  for (const secret of secrets) keys.set(keyId(secret), { secret });
  const current = keyId(secrets[0]!);
  const keyFor = (kid: string) => {
    const entry = keys.get(kid);
    if (!entry) return undefined;
    entry.key ??= deriveAesKey(entry.secret);
    return entry.key;
  };
  return {
    current,
    knows: (kid) => typeof kid === "string" && keys.has(kid),
    async seal(plain, aad) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const key = await keyFor(current)!;
      const ct = new Uint8Array(
        await crypto.subtle.encrypt(
          { name: "AES-GCM", iv, additionalData: utf8.encode(aad) },
          key,
          utf8.encode(plain),
        ),
      );
      return { k: current, iv: encodeBase64urlNoPadding(iv), ct: encodeBase64urlNoPadding(ct) };
    },
    async open(sealed, aad) {
      const key = keyFor(sealed?.k);
      if (!key || typeof sealed.iv !== "string" || typeof sealed.ct !== "string") return null;
      try {
        const plain = await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: decodeBase64urlIgnorePadding(sealed.iv) as Uint8Array<ArrayBuffer>,
            additionalData: utf8.encode(aad),
          },
          await key,
          decodeBase64urlIgnorePadding(sealed.ct) as Uint8Array<ArrayBuffer>,
        );
        return utf8Decode.decode(plain);
      } catch {
        return null;
      }
    },
  };
}
