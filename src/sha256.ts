/**
 * @module
 * SHA-256 (FIPS 180-4), synchronous, for the hashes that cannot wait for `crypto.subtle.digest`: storage
 * keys of session tokens and usernames, key ids, CSP sources, and HMAC through `@oslojs/crypto/hmac`
 * (`SHA256` has the shape of its `Hash`). Here rather than `@oslojs/crypto/sha2` because that entry also
 * brings SHA-224, SHA-384 and SHA-512, whose constant tables every bundle keeps (about 2.9 KB gzip of the
 * sessions-only Worker with the byte helpers they share). The test compares it with Web Crypto.
 */

import { encodeHexLowerCase } from "@oslojs/encoding";

// The first 32 bits of the fractional parts of the square (H) and cube (K) roots of the first primes,
// computed exactly: a float estimate, corrected with integer arithmetic.
function rootBits(prime: number, n: number): number {
  const target = BigInt(prime) << BigInt(32 * n);
  const power = BigInt(n);
  let x = BigInt(Math.floor(prime ** (1 / n) * 2 ** 32));
  while (x ** power > target) x--;
  while ((x + 1n) ** power <= target) x++;
  return Number(x & 0xffffffffn);
}

let tables: { H: Uint32Array; K: Uint32Array } | undefined;
function constants(): { H: Uint32Array; K: Uint32Array } {
  if (!tables) {
    const primes: number[] = [];
    for (let p = 2; primes.length < 64; p++) if (primes.every((q) => p % q)) primes.push(p);
    tables = {
      H: Uint32Array.from(primes.slice(0, 8), (p) => rootBits(p, 2)),
      K: Uint32Array.from(primes, (p) => rootBits(p, 3)),
    };
  }
  return tables;
}

const rotr = (x: number, n: number) => (x >>> n) | (x << (32 - n));

function compress(H: Uint32Array, W: Uint32Array, block: Uint8Array, offset: number): void {
  const { K } = constants();
  for (let t = 0, i = offset; t < 16; t++, i += 4) {
    W[t] = (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
  }
  for (let t = 16; t < 64; t++) {
    const a = W[t - 15]!;
    const b = W[t - 2]!;
    W[t] =
      W[t - 16]! +
      (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) +
      W[t - 7]! +
      (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10));
  }
  let a = H[0]!;
  let b = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t]! + W[t]!) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0]! += a;
  H[1]! += b;
  H[2]! += c;
  H[3]! += d;
  H[4]! += e;
  H[5]! += f;
  H[6]! += g;
  H[7]! += h;
}

/**
 * An incremental SHA-256, as `@oslojs/crypto/hmac` takes it.
 *
 * @example
 * ```ts
 * const mac = hmac(SHA256, key, message);
 * const hash = new SHA256();
 * hash.update(new TextEncoder().encode("abc"));
 * hash.digest(); // 32 bytes: ba7816bf…
 * ```
 */
export class SHA256 {
  readonly blockSize = 64;
  readonly size = 32;
  #H = Uint32Array.from(constants().H);
  #W = new Uint32Array(64);
  #block = new Uint8Array(64);
  #filled = 0;
  #length = 0;

  /** Adds bytes to the message. */
  update(data: Uint8Array): void {
    this.#length += data.byteLength;
    for (let i = 0; i < data.byteLength; ) {
      const n = Math.min(64 - this.#filled, data.byteLength - i);
      this.#block.set(data.subarray(i, i + n), this.#filled);
      this.#filled += n;
      i += n;
      if (this.#filled === 64) {
        compress(this.#H, this.#W, this.#block, 0);
        this.#filled = 0;
      }
    }
  }

  /** The hash of what was added so far (the state is left as it was). */
  digest(): Uint8Array {
    const H = this.#H.slice();
    const tail = new Uint8Array(this.#filled < 56 ? 64 : 128);
    tail.set(this.#block.subarray(0, this.#filled));
    tail[this.#filled] = 0x80;
    const view = new DataView(tail.buffer);
    const bits = this.#length * 8;
    view.setUint32(tail.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(tail.length - 4, bits >>> 0);
    for (let offset = 0; offset < tail.length; offset += 64) compress(H, this.#W, tail, offset);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setUint32(i * 4, H[i]!);
    return out;
  }
}

/**
 * The SHA-256 of `data`.
 *
 * @example
 * ```ts
 * sha256(new TextEncoder().encode("abc")); // 32 bytes: ba7816bf…
 * ```
 */
export function sha256(data: Uint8Array): Uint8Array {
  // Up to 55 bytes (a cookie token, a username) the message and its padding fit one block: compressed
  // straight from one buffer, without the incremental state's copies.
  if (data.byteLength < 56) {
    oneBlock.fill(0);
    oneBlock.set(data);
    oneBlock[data.byteLength] = 0x80;
    oneView.setUint32(60, data.byteLength * 8);
    const H = Uint32Array.from(constants().H);
    compress(H, oneW, oneBlock, 0);
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(i * 4, H[i]!);
    return out;
  }
  const hash = new SHA256();
  hash.update(data);
  return hash.digest();
}

// The one-block path's buffers: `sha256` is synchronous, so one set serves every call.
const oneBlock = new Uint8Array(64);
const oneView = new DataView(oneBlock.buffer);
const oneW = new Uint32Array(64);

const utf8 = new TextEncoder();

/**
 * The lowercase hex SHA-256 of a string's UTF-8 bytes: every storage key, key id and lookup hash here.
 *
 * @example
 * ```ts
 * sha256Hex("abc"); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 */
export function sha256Hex(text: string): string {
  return encodeHexLowerCase(sha256(utf8.encode(text)));
}
