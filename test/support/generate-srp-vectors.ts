/**
 * @module
 * Prints the SRP known-answer vectors of `test/fixtures/srp-vectors.json`, computed by AWS's own client
 * (amazon-cognito-identity-js's AuthenticationHelper) with its private value a fixed.
 *
 *   npx tsx test/support/generate-srp-vectors.ts > test/fixtures/srp-vectors.json
 *
 * Run once; the fixture is committed so every runtime checks the same answers without the AWS client.
 * Inputs come from a seeded SHA-256 stream, so a rerun prints the same file. Some inputs are searched
 * for the encodings that are easy to get wrong: a u or S whose top bit is set (Java's toByteArray adds
 * a 0x00) or whose top byte is zero (shorter than 32/384 bytes), a salt written with leading zeros or
 * an odd number of hex digits, a short B. The search uses OpenSSL only to find such inputs; every
 * recorded answer comes from the AWS client.
 */
import { createDiffieHellman, createHash } from "node:crypto";
import sha256js from "@aws-crypto/sha256-js";
import { AuthenticationHelper, DateHelper } from "amazon-cognito-identity-js";
// The AWS helper type-checks its inputs against its own BigInteger class.
import BigIntegerModule from "amazon-cognito-identity-js/lib/BigInteger.js";

const BigInteger: any = (BigIntegerModule as any).default ?? BigIntegerModule;
// The same SHA-256/HMAC the AWS client signs with (its CommonJS build has no ESM named exports).
const { Sha256 } = sha256js as any;

let counter = 0;
function seeded(label: string, bytes: number): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  while (have < bytes) {
    const block = createHash("sha256").update(`warrant-srp-vectors/${label}/${counter++}`).digest();
    out.push(block);
    have += block.length;
  }
  return Buffer.concat(out).subarray(0, bytes);
}

const helperFor = (poolName: string, aHex: string) => {
  const helper: any = new AuthenticationHelper(poolName);
  helper.smallAValue = new BigInteger(aHex, 16);
  helper.largeAValue = undefined;
  helper.getLargeAValue(() => {});
  return helper;
};

const big = (hex: string) => BigInt(`0x${hex}`);
const hexOf = (n: bigint) => n.toString(16);

/** S by OpenSSL, to search quickly for inputs whose S has a given shape. */
function quickS(
  helper: any,
  B: bigint,
  saltHex: string,
  poolName: string,
  user: string,
  password: string,
): bigint {
  const N = big(helper.N.toString(16));
  const k = big(helper.k.toString(16));
  const a = big(helper.smallAValue.toString(16));
  const u = big(helper.calculateU(helper.largeAValue, new BigInteger(hexOf(B), 16)).toString(16));
  const x = big(
    helper.hexHash(
      helper.padHex(new BigInteger(saltHex, 16)) + helper.hash(`${poolName}${user}:${password}`),
    ),
  );
  const toBuf = (n: bigint) => Buffer.from(n.toString(16).padStart(768, "0"), "hex");
  const dhx = createDiffieHellman(toBuf(N), Buffer.from([2]));
  dhx.setPrivateKey(Buffer.from(x.toString(16).padStart(64, "0"), "hex"));
  dhx.generateKeys();
  const gx = big(dhx.getPublicKey("hex"));
  const base = (((B - k * gx) % N) + N) % N;
  const e = a + u * x;
  const dhs = createDiffieHellman(toBuf(N), Buffer.from([2]));
  dhs.setPrivateKey(Buffer.from(e.toString(16).padStart(130, "0"), "hex"));
  return big(dhs.computeSecret(toBuf(base)).toString("hex"));
}

function awsTimestamp(iso: string): string {
  const RealDate = Date;
  const fixed = new RealDate(iso).getTime();
  globalThis.Date = class extends RealDate {
    constructor(...args: any[]) {
      super(...((args.length ? args : [fixed]) as [number]));
    }
  } as DateConstructor;
  try {
    return new DateHelper().getNowString();
  } finally {
    globalThis.Date = RealDate;
  }
}

interface Case {
  name: string;
  poolName: string;
  userIdForSrp: string;
  password: string;
  now: string;
  saltHex?: (raw: Buffer) => string;
  acceptB?: (ctx: { u: bigint; B: bigint; S: () => bigint }) => boolean;
}

const cases: Case[] = [
  {
    name: "plain",
    poolName: "AbCdEf123",
    userIdForSrp: "7c1e5a0e-3d4b-4f6a-9c2d-1e0f2a3b4c5d",
    password: "Correct-horse-1",
    now: "2024-03-05T09:04:02Z",
  },
  {
    name: "u top bit set, salt with a leading zero byte",
    poolName: "XyZ987aBc",
    userIdForSrp: "0f9d2c4e-aaaa-4bbb-8ccc-123456789abc",
    password: "p@ssw0rd!",
    now: "2025-12-31T23:59:59Z",
    saltHex: (raw) => `00${raw.subarray(1).toString("hex")}`,
    acceptB: ({ u }) => u >> 255n === 1n,
  },
  {
    name: "u with a zero top byte, salt with the top bit set",
    poolName: "LocalPool1",
    userIdForSrp: "alice",
    password: "pässwörd 🙂 ünïcode",
    now: "2026-01-10T00:00:09Z",
    saltHex: (raw) => `8${raw.toString("hex").slice(1)}`,
    acceptB: ({ u }) => u >> 248n === 0n,
  },
  {
    name: "S with a zero top byte, odd-length salt hex",
    poolName: "Qq1Ww2Ee3",
    userIdForSrp: "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    password: "x",
    now: "2024-02-29T12:30:45Z",
    saltHex: (raw) => raw.toString("hex").replace(/^0*/, "").slice(1),
    acceptB: ({ S }) => S() >> 3064n === 0n,
  },
  {
    name: "S top bit set, short B (leading zero bytes)",
    poolName: "ShortB0001",
    userIdForSrp: "bob@example.com",
    password: "Another Password 2",
    now: "2027-07-04T07:07:07Z",
    acceptB: ({ B, S }) => B >> 3056n === 0n && S() >> 3071n === 1n,
  },
];

const N_HEX = new (AuthenticationHelper as any)("x").N.toString(16) as string;
const N = big(N_HEX);

const vectors = [];
for (const c of cases) {
  const aHex = seeded(`${c.name}/a`, 32).toString("hex");
  const helper = helperFor(c.poolName, aHex);
  const rawSalt = seeded(`${c.name}/salt`, 16);
  const saltHex = c.saltHex ? c.saltHex(rawSalt) : rawSalt.toString("hex");
  const secretBlock = seeded(`${c.name}/secret`, 96).toString("base64");
  let B = 0n;
  for (let attempt = 0; ; attempt++) {
    if (attempt > 100_000) throw new Error(`no B found for ${c.name}`);
    let candidate = big(seeded(`${c.name}/B`, 384).toString("hex")) % N;
    if (c.name.includes("short B")) candidate >>= 80n;
    if (candidate === 0n) continue;
    const u = big(helper.calculateU(helper.largeAValue, new BigInteger(hexOf(candidate), 16)).toString(16));
    const S = () => quickS(helper, candidate, saltHex, c.poolName, c.userIdForSrp, c.password);
    if (!c.acceptB || c.acceptB({ u, B: candidate, S })) {
      B = candidate;
      break;
    }
  }
  const srpB = hexOf(B);

  const key: Buffer = await new Promise((resolve, reject) =>
    helper.getPasswordAuthenticationKey(
      c.userIdForSrp,
      c.password,
      new BigInteger(srpB, 16),
      new BigInteger(saltHex, 16),
      (err: unknown, hkdf: Buffer) => (err ? reject(err) : resolve(Buffer.from(hkdf))),
    ),
  );
  const timestamp = awsTimestamp(c.now);
  // The signature as CognitoUser.authenticateUserDefaultAuth builds it, with the AWS client's own HMAC.
  const mac = new Sha256(key);
  mac.update(
    Buffer.concat([
      Buffer.from(c.poolName, "utf8"),
      Buffer.from(c.userIdForSrp, "utf8"),
      Buffer.from(secretBlock, "base64"),
      Buffer.from(timestamp, "utf8"),
    ]),
  );
  const signature = Buffer.from(mac.digestSync()).toString("base64");
  const S = quickS(helper, B, saltHex, c.poolName, c.userIdForSrp, c.password);

  vectors.push({
    name: c.name,
    poolName: c.poolName,
    userIdForSrp: c.userIdForSrp,
    password: c.password,
    a: aHex,
    srpA: helper.largeAValue.toString(16),
    srpB,
    salt: saltHex,
    secretBlock,
    now: c.now,
    timestamp,
    k: helper.k.toString(16),
    u: helper.UValue.toString(16),
    S: hexOf(S),
    key: key.toString("hex"),
    signature,
  });
}

process.stdout.write(
  `${JSON.stringify(
    {
      about:
        "SRP known answers computed by amazon-cognito-identity-js 6.3 (AuthenticationHelper) with a fixed private value a; " +
        "regenerate with `npx tsx test/support/generate-srp-vectors.ts > test/fixtures/srp-vectors.json`. " +
        "S is OpenSSL's (a cross-check of the recorded key, not an AWS output).",
      vectors,
    },
    null,
    2,
  )}\n`,
);
