/**
 * src/sha256.ts against Web Crypto: every length across the padding boundaries, in pieces, and as HMAC; and
 * the `sha256Hex` option that hands the session check's hash to a faster one (Bun's, from adapters/bun).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hmac } from "@oslojs/crypto/hmac";
import { createStorage } from "unstorage";
import { sha256Hex as bunSha256Hex } from "../../adapters/bun.ts";
import { createWarrant, WarrantError } from "../../src/mod.ts";
import { createSessionReader } from "../../src/reader.ts";
import { SHA256, sha256, sha256Hex } from "../../src/sha256.ts";
import { createSession } from "../../src/testing.ts";

// Deterministic bytes (a linear congruential sequence), so a failure names a length that fails again.
function bytes(length: number, seed = length): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const webDigest = async (data: Uint8Array<ArrayBuffer>) =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", data));

describe("sha256", () => {
  it("gives FIPS 180-4's digests of the empty string and abc", () => {
    const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    assert.equal(
      hex(sha256(new Uint8Array())),
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert.equal(
      hex(sha256(new TextEncoder().encode("abc"))),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("matches Web Crypto for every length from 0 to 300 bytes, and for 10,000", async () => {
    for (const length of [...Array.from({ length: 301 }, (_, i) => i), 10_000]) {
      const data = bytes(length);
      assert.deepEqual(sha256(data), await webDigest(data), `length ${length}`);
    }
  });

  it("keeps nothing of one message in the next: short ones after longer ones, from 55 bytes down to 0", async () => {
    for (let length = 55; length >= 0; length--) {
      sha256(bytes(200, length));
      sha256(bytes(55, length + 1));
      const data = bytes(length);
      assert.deepEqual(sha256(data), await webDigest(data), `length ${length}`);
    }
  });

  it("gives the same digest however the message is split across update calls", async () => {
    const data = bytes(1000);
    const expected = await webDigest(data);
    for (const piece of [1, 3, 63, 64, 65, 127, 500]) {
      const hash = new SHA256();
      for (let i = 0; i < data.length; i += piece) hash.update(data.subarray(i, i + piece));
      assert.deepEqual(hash.digest(), expected, `pieces of ${piece}`);
      assert.deepEqual(hash.digest(), expected, "digest leaves the state as it was");
    }
  });

  it("serves @oslojs/crypto's HMAC: HMAC-SHA-256 as Web Crypto computes it", async () => {
    for (const keyLength of [1, 16, 32, 64, 65, 200]) {
      const key = bytes(keyLength, 7);
      const message = bytes(77, keyLength);
      const webKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
      const expected = new Uint8Array(await crypto.subtle.sign("HMAC", webKey, message));
      assert.deepEqual(hmac(SHA256, key, message), expected, `key of ${keyLength} bytes`);
    }
  });
});

describe("options.sha256Hex", () => {
  const options = {
    userPoolId: "eu-west-1_Sha256",
    clientId: "c",
    secret: "sha256-secret-0123456789-abcdefghijklmn",
  };
  const hexOf = sha256Hex;

  it("the library's own is the lowercase hex of the UTF-8 bytes' digest", () => {
    assert.equal(hexOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const bytes = new TextEncoder().encode("é and 𝄞");
    assert.equal(
      hexOf("é and 𝄞"),
      Array.from(sha256(bytes), (x) => x.toString(16).padStart(2, "0")).join(""),
    );
  });

  it("is refused unless it is SHA-256 (a wrong digest, a throw, a non-string)", () => {
    for (const wrong of [
      (text: string) => hexOf(`${text}x`),
      (text: string) => hexOf(text).toUpperCase(),
      () => {
        throw new Error("no hasher here");
      },
      () => 42 as unknown as string,
    ]) {
      assert.throws(
        () => createWarrant({ ...options, sha256Hex: wrong }),
        (e: unknown) =>
          e instanceof WarrantError && e.code === "invalid_options" && /sha256Hex/.test(e.message),
      );
    }
  });

  it("hashes the session cookie on every check, and finds the sessions written without it", async () => {
    const storage = createStorage();
    const plain = createWarrant({ ...options, storage });
    let calls = 0;
    const counted = createWarrant({
      ...options,
      storage,
      sha256Hex: (text) => {
        calls++;
        return hexOf(text);
      },
    });
    const { cookie } = await createSession(plain, { username: "ada" });
    const request = new Request("http://localhost/", { headers: { cookie } });
    assert.equal((await counted.getSession(request))?.user.username, "ada");
    assert.ok(calls >= 2, "the check asked sha256Hex (once at createWarrant, once per request)");
    const reader = createSessionReader({ ...options, storage, sha256Hex: hexOf });
    assert.equal((await reader.getSession(request))?.user.username, "ada");
  });

  it("adapters/bun's is Bun's native SHA-256 under Bun, and says it needs Bun elsewhere", () => {
    const bun = (globalThis as { Bun?: unknown }).Bun;
    if (bun) {
      for (const text of ["", "abc", "é and 𝄞", "x".repeat(1000)])
        assert.equal(bunSha256Hex(text), hexOf(text));
      assert.doesNotThrow(() => createWarrant({ ...options, sha256Hex: bunSha256Hex }));
    } else {
      assert.throws(() => bunSha256Hex("abc"), /needs Bun/);
      assert.throws(() => createWarrant({ ...options, sha256Hex: bunSha256Hex }), /options\.sha256Hex/);
    }
  });
});
