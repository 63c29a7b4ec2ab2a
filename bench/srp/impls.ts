/**
 * @module
 * The SRP logins the benchmark compares, in code that runs on Node, Bun, Deno and workerd. One login is
 * the client's whole CPU work: draw a, compute A (as hex for SRP_A), then from a fixed PASSWORD_VERIFIER
 * challenge compute u, x, S, the HKDF key, the timestamp and the signature.
 */
import sha256js from "@aws-crypto/sha256-js";
import { hmac } from "@oslojs/crypto/hmac";
import { SHA256, sha256 } from "@oslojs/crypto/sha2";
import { decodeBase64, decodeHex, encodeBase64 } from "@oslojs/encoding";
import { AuthenticationHelper, DateHelper } from "amazon-cognito-identity-js";
import { cognitoTimestamp, createSrpClient } from "../../src/cognito/srp.ts";
import fixture from "../../test/fixtures/srp-vectors.json" with { type: "json" };

/** The challenge every login answers: the first known-answer vector (made by the AWS client). */
export const vector = fixture.vectors[0]!;

export interface Impl {
  name: string;
  /** One login with fresh randomness; returns the signature. */
  login(): Promise<string>;
  /** One login with the vector's a and time; must return the vector's signature. */
  check(): Promise<string>;
}

const challenge = {
  poolName: vector.poolName,
  userIdForSrp: vector.userIdForSrp,
  password: vector.password,
  srpB: vector.srpB,
  salt: vector.salt,
  secretBlock: vector.secretBlock,
};
const fixedA = () => decodeHex(vector.a);

export const ours: Impl = {
  name: "warrant",
  async login() {
    const client = createSrpClient();
    if (!client.srpA) throw new Error("no A");
    return (await client.respond(challenge)).PASSWORD_CLAIM_SIGNATURE;
  },
  async check() {
    const client = createSrpClient({ random: (b) => b.set(fixedA()) });
    return (await client.respond({ ...challenge, now: new Date(vector.now) })).PASSWORD_CLAIM_SIGNATURE;
  },
};

const encoder = new TextEncoder();
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const signedMessage = (timestamp: string) =>
  concat(
    encoder.encode(challenge.poolName),
    encoder.encode(challenge.userIdForSrp),
    decodeBase64(challenge.secretBlock),
    encoder.encode(timestamp),
  );

// The AWS client's CommonJS build has no ESM named exports for this one.
const { Sha256 } = sha256js as any;

/** amazon-cognito-identity-js as CognitoUser.authenticateUserDefaultAuth drives it (its a is 1024 bits). */
async function awsLogin(fixA: boolean): Promise<string> {
  const helper: any = new AuthenticationHelper(challenge.poolName);
  const BigInteger = helper.N.constructor;
  if (fixA) {
    helper.smallAValue = new BigInteger(vector.a, 16);
    helper.largeAValue = undefined;
    helper.getLargeAValue(() => {});
  }
  let srpA = "";
  helper.getLargeAValue((_: unknown, A: any) => (srpA = A.toString(16)));
  if (!srpA) throw new Error("no A");
  const key: Uint8Array = await new Promise((resolve, reject) =>
    helper.getPasswordAuthenticationKey(
      challenge.userIdForSrp,
      challenge.password,
      new BigInteger(challenge.srpB, 16),
      new BigInteger(challenge.salt, 16),
      (err: unknown, hkdf: Uint8Array) => (err ? reject(err) : resolve(hkdf)),
    ),
  );
  const timestamp = fixA ? vector.timestamp : new DateHelper().getNowString();
  const mac = new Sha256(key);
  mac.update(signedMessage(timestamp));
  return encodeBase64(mac.digestSync());
}

export const aws: Impl = {
  name: "amazon-cognito-identity-js",
  login: () => awsLogin(false),
  check: () => awsLogin(true),
};

// The plain baseline: the same protocol and hashes as ours, the same 256-bit a, but textbook
// right-to-left square-and-multiply with BigInt's % after every product. It isolates what the
// arithmetic choices in src/cognito/srp.ts buy.
const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

function modPow(base: bigint, e: bigint): bigint {
  let r = 1n;
  base %= N;
  while (e > 0n) {
    if (e & 1n) r = (r * base) % N;
    base = (base * base) % N;
    e >>= 1n;
  }
  return r;
}
const javaBytes = (n: bigint) => {
  let h = n.toString(16);
  if (h.length % 2) h = `0${h}`;
  if (/^[89a-f]/.test(h)) h = `00${h}`;
  return decodeHex(h);
};
const int = (b: Uint8Array) =>
  BigInt(`0x${Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("") || "0"}`);
const kNaive = int(sha256(concat(javaBytes(N), javaBytes(2n))));

function naiveLogin(aBytes: Uint8Array, timestamp: string): string {
  const a = int(aBytes);
  const A = modPow(2n, a);
  if (!A.toString(16)) throw new Error("no A");
  const B = BigInt(`0x${challenge.srpB}`);
  const uBytes = sha256(concat(javaBytes(A), javaBytes(B)));
  const u = int(uBytes);
  const x = int(
    sha256(
      concat(
        javaBytes(BigInt(`0x${challenge.salt}`)),
        sha256(encoder.encode(`${challenge.poolName}${challenge.userIdForSrp}:${challenge.password}`)),
      ),
    ),
  );
  const base = (((B - kNaive * modPow(2n, x)) % N) + N) % N;
  const S = modPow(base, a + u * x);
  const prk = hmac(SHA256, javaBytes(u), javaBytes(S));
  const key = hmac(SHA256, prk, concat(encoder.encode("Caldera Derived Key"), new Uint8Array([1]))).slice(
    0,
    16,
  );
  return encodeBase64(hmac(SHA256, key, signedMessage(timestamp)));
}

export const naive: Impl = {
  name: "BigInt square-and-multiply",
  login: async () => naiveLogin(crypto.getRandomValues(new Uint8Array(32)), cognitoTimestamp(new Date())),
  check: async () => naiveLogin(fixedA(), vector.timestamp),
};

export interface Sample {
  impl: string;
  iterations: number;
  /** Per-login milliseconds, one per timed batch. */
  perLogin: number[];
  median: number;
  p90: number;
  /** Process CPU time (all threads, so GC helpers too) over the timed batches, per login; where measurable. */
  cpuMean?: number;
}

/**
 * Times `impl`: warm-up logins first (JIT, lazily built tables), then `batches` timed batches of
 * `perBatch` logins each with `clock`. Batches exist for workerd, whose clock has a 1 ms grain.
 */
export async function measure(
  impl: Impl,
  opts: { warmup: number; batches: number; perBatch: number; clock: () => number; cpu?: () => number },
): Promise<Sample> {
  if ((await impl.check()) !== vector.signature)
    throw new Error(`${impl.name} does not reproduce the known answer`);
  for (let i = 0; i < opts.warmup; i++) await impl.login();
  const perLogin: number[] = [];
  const cpuStart = opts.cpu?.();
  for (let b = 0; b < opts.batches; b++) {
    const start = opts.clock();
    for (let i = 0; i < opts.perBatch; i++) await impl.login();
    perLogin.push((opts.clock() - start) / opts.perBatch);
  }
  const cpuMean =
    cpuStart === undefined ? undefined : (opts.cpu!() - cpuStart) / (opts.batches * opts.perBatch);
  const sorted = [...perLogin].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    impl: impl.name,
    iterations: opts.batches * opts.perBatch,
    perLogin,
    median: at(0.5),
    p90: at(0.9),
    cpuMean,
  };
}

/** How many logins each implementation gets: the AWS client is ~50× slower, so fewer. */
export const plan = {
  warrant: { warmup: 30, batches: 200, perBatch: 1 },
  naive: { warmup: 5, batches: 40, perBatch: 1 },
  aws: { warmup: 2, batches: 15, perBatch: 1 },
};
