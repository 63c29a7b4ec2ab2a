/**
 * The SRP client's maths, on every runtime (node:test under Node, `bun test` and `deno test`):
 * known answers from amazon-cognito-identity-js, round trips against the test responder's independent
 * server maths, and the checks that must fail closed.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { modPow } from "../../adapters/node-crypto.ts";
import { cognitoTimestamp, createSrpClient, SrpError } from "../../src/cognito/srp.ts";
import fixture from "../fixtures/srp-vectors.json" with { type: "json" };
import { srpExpectedSignature, srpServerB, srpVerifier } from "../support/srp-responder.ts";

const N_HEX =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
const N = BigInt(`0x${N_HEX}`);

const hexBytes = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
const fixedRandom = (hex: string) => (bytes: Uint8Array) => {
  assert.equal(bytes.length, hex.length / 2);
  bytes.set(hexBytes(hex));
};

const challenge = {
  poolName: "AbCdEf123",
  userIdForSrp: "7c1e5a0e-3d4b-4f6a-9c2d-1e0f2a3b4c5d",
  password: "Correct-horse-1",
  salt: "923aa89444c4e3d6edf31089ee71ddd7",
  secretBlock: "c2VjcmV0IGJsb2Nr",
};

// The library's own arithmetic, and the adapter's OpenSSL power (node:crypto, also in Bun and Deno):
// every known answer and round trip must come out the same with either.
const powers = [
  ["BigInt Montgomery", {}],
  ["modPow from adapters/node-crypto.ts", { modPow }],
] as const;

for (const [power, withPower] of powers)
  describe(`known answers from amazon-cognito-identity-js (${power})`, () => {
    assert.ok(fixture.vectors.length >= 5);
    for (const v of fixture.vectors) {
      test(v.name, async () => {
        const client = createSrpClient({ random: fixedRandom(v.a), ...withPower });
        assert.equal(client.srpA, v.srpA);
        const out = await client.respond({
          poolName: v.poolName,
          userIdForSrp: v.userIdForSrp,
          password: v.password,
          srpB: v.srpB,
          salt: v.salt,
          secretBlock: v.secretBlock,
          now: new Date(v.now),
        });
        assert.equal(out.TIMESTAMP, v.timestamp);
        assert.equal(out.PASSWORD_CLAIM_SIGNATURE, v.signature);
        assert.equal(out.PASSWORD_CLAIM_SECRET_BLOCK, v.secretBlock);
      });
    }
  });

for (const [power, withPower] of powers)
  describe(`round trips against the test responder's server maths (${power})`, () => {
    test("20 logins with fresh random a, salts and passwords all verify; a wrong password never does", async () => {
      const decode = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      for (let i = 0; i < 20; i++) {
        const salt = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
          b.toString(16).padStart(2, "0"),
        )
          .join("")
          .replace(/^0+/, "");
        const password = `pw-${i}-${crypto.randomUUID()}-ü`;
        const v = srpVerifier(challenge.poolName, challenge.userIdForSrp, password, salt);
        const { b, B } = srpServerB(v);
        const client = createSrpClient(withPower);
        const right = i % 4 !== 3;
        const out = await client.respond({
          ...challenge,
          password: right ? password : `${password}!`,
          salt,
          srpB: B.toString(16),
        });
        const expected = srpExpectedSignature({
          poolName: challenge.poolName,
          userIdForSrp: challenge.userIdForSrp,
          v,
          b,
          A: BigInt(`0x${client.srpA}`),
          B,
          secretBlock: decode(challenge.secretBlock),
          timestamp: out.TIMESTAMP,
        });
        const given = decode(out.PASSWORD_CLAIM_SIGNATURE);
        assert.equal(
          given.every((byte, j) => byte === expected[j]) && given.length === expected.length,
          right,
        );
      }
    });
  });

describe("private value a", () => {
  test("is 256 bits drawn from the random source, and A differs per client", () => {
    let asked = 0;
    createSrpClient({
      random: (bytes) => {
        asked += bytes.length;
        crypto.getRandomValues(bytes);
      },
    });
    assert.equal(asked, 32);
    assert.notEqual(createSrpClient().srpA, createSrpClient().srpA);
  });

  test("a random source that returns only zeros is refused", () => {
    assert.throws(() => createSrpClient({ random: () => {} }), SrpError);
  });

  test("A = g^a mod N: a = 1 gives 2, a = 2^255 gives 2^(2^255) mod N's known square chain", () => {
    const one = new Uint8Array(32);
    one[31] = 1;
    assert.equal(createSrpClient({ random: (b) => b.set(one) }).srpA, "2");
    const top = new Uint8Array(32);
    top[0] = 0x80;
    let expected = 2n;
    for (let i = 0; i < 255; i++) expected = (expected * expected) % N;
    assert.equal(createSrpClient({ random: (b) => b.set(top) }).srpA, expected.toString(16));
  });
});

describe("fails closed", () => {
  const respondWith = (input: Partial<typeof challenge> & { srpB?: string }) =>
    createSrpClient().respond({ ...challenge, srpB: "1234", ...input });
  const invalidServerValue = (e: unknown) => {
    assert.ok(e instanceof SrpError);
    assert.equal(e.code, "srp_invalid_server_value");
    return true;
  };

  test("B ≡ 0 mod N (B = 0, N, 2N) throws", async () => {
    for (const B of [0n, N, 2n * N]) {
      await assert.rejects(respondWith({ srpB: B.toString(16) }), invalidServerValue);
    }
    await assert.rejects(respondWith({ srpB: "0000" }), invalidServerValue);
  });

  test("B ≥ N throws even when B mod N ≠ 0", async () => {
    await assert.rejects(respondWith({ srpB: (N + 5n).toString(16) }), invalidServerValue);
  });

  test("malformed SRP_B, SALT or SECRET_BLOCK throws", async () => {
    for (const srpB of ["", "0x12", "12 34", "zz", "-1"])
      await assert.rejects(respondWith({ srpB }), invalidServerValue);
    await assert.rejects(respondWith({ salt: "not hex" }), invalidServerValue);
    await assert.rejects(respondWith({ secretBlock: "***" }), invalidServerValue);
  });

  test("a whole user pool id instead of the pool name is refused", async () => {
    await assert.rejects(respondWith({ poolName: "eu-west-1_AbCdEf123" }), {
      name: "SrpError",
      code: "srp_invalid_input",
    });
  });

  test("a client answers one challenge only", async () => {
    const client = createSrpClient();
    await client.respond({ ...challenge, srpB: "1234" });
    await assert.rejects(client.respond({ ...challenge, srpB: "1234" }), { code: "srp_already_used" });
  });
});

describe("cognitoTimestamp", () => {
  test("ddd MMM D HH:mm:ss UTC YYYY: unpadded day, padded time, UTC whatever the local zone", () => {
    assert.equal(cognitoTimestamp(new Date("2024-03-05T09:04:02Z")), "Tue Mar 5 09:04:02 UTC 2024");
    assert.equal(cognitoTimestamp(new Date("2025-12-31T23:59:59Z")), "Wed Dec 31 23:59:59 UTC 2025");
    assert.equal(cognitoTimestamp(new Date("2026-01-10T00:00:09+02:00")), "Fri Jan 9 22:00:09 UTC 2026");
  });
});
