/**
 * @module
 * The reference: the same login with OpenSSL doing the three modular exponentiations (Node only).
 * One DiffieHellman object over the group is reused: computeSecret(y) with private key e is y^e mod N,
 * so g^a, g^x and (B - k·g^x)^(a + u·x) are each a setPrivateKey + computeSecret. Hashes use node:crypto.
 */
import { createDiffieHellman, createHash, createHmac, randomBytes } from "node:crypto";
import { cognitoTimestamp } from "../../src/cognito/srp.ts";
import { type Impl, vector } from "./impls.ts";

const nHex =
  "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
  "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
  "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
  "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
  "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
  "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
  "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
  "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";
const N = BigInt(`0x${nHex}`);
const dh = createDiffieHellman(Buffer.from(nHex, "hex"), Buffer.from([2]));
const G = Buffer.from([2]);

const fixed = (n: bigint, bytes: number) => Buffer.from(n.toString(16).padStart(bytes * 2, "0"), "hex");
const int = (b: Buffer) => BigInt(`0x${b.toString("hex") || "0"}`);
const javaBytes = (n: bigint) => {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  if (/^[89a-f]/.test(h)) h = `00${h}`;
  return Buffer.from(h, "hex");
};
const sha = (...parts: (Buffer | string)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const powMod = (base: Buffer, e: bigint, eBytes: number) => {
  dh.setPrivateKey(fixed(e, eBytes));
  return int(dh.computeSecret(base));
};
const k = int(sha(javaBytes(N), javaBytes(2n)));

function login(aBytes: Buffer, timestamp: string): string {
  const a = int(aBytes);
  const A = powMod(G, a, 32);
  if (!A.toString(16)) throw new Error("no A");
  const B = BigInt(`0x${vector.srpB}`);
  const u = int(sha(javaBytes(A), javaBytes(B)));
  const x = int(
    sha(
      javaBytes(BigInt(`0x${vector.salt}`)),
      sha(`${vector.poolName}${vector.userIdForSrp}:${vector.password}`),
    ),
  );
  const base = (((B - k * powMod(G, x, 32)) % N) + N) % N;
  const S = powMod(fixed(base, 384), a + u * x, 65);
  const prk = createHmac("sha256", javaBytes(u)).update(javaBytes(S)).digest();
  const key = createHmac("sha256", prk).update("Caldera Derived Key\u0001").digest().subarray(0, 16);
  return createHmac("sha256", key)
    .update(vector.poolName)
    .update(vector.userIdForSrp)
    .update(Buffer.from(vector.secretBlock, "base64"))
    .update(timestamp)
    .digest("base64");
}

export const openssl: Impl = {
  name: "OpenSSL modexp (node:crypto)",
  login: async () => login(randomBytes(32), cognitoTimestamp(new Date())),
  check: async () => login(Buffer.from(vector.a, "hex"), vector.timestamp),
};
