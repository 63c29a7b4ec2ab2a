/**
 * @module
 * One runtime's half of the peer benchmark (bench/peers/run.ts starts it under Node, Bun and Deno, one
 * after another): ours beside the peers doing the same job, in this one process, and one JSON line out.
 *
 * - session check: `warrant.getSession(request)` and a whole `protect`ed request (memory store), Auth.js
 *   answering `/auth/session` for its JWT session cookie, better-auth's `api.getSession` (memory adapter);
 * - Cognito access token verification, JWKS already cached: `warrant.verifyToken`, aws-jwt-verify's
 *   `CognitoJwtVerifier` and jose's `jwtVerify` over a local JWKS (with the same claim checks);
 * - the client side of an SRP login: ours, ours with the OpenSSL `modPow` (adapters/node-crypto.ts), and
 *   amazon-cognito-identity-js, all answering the first known-answer vector's challenge.
 *
 * Contenders run interleaved (a batch each in turn, round after round) after a warm-up; each figure is
 * the median of its per-call means. The peers are
 * devDependencies used only here. The JWKS that `warrant.verifyToken` fetches comes from a stand-in
 * `fetch` (FAKE_JWKS_FETCH below): the benchmark measures verification with cached keys, not a network.
 */
import process from "node:process";
import { Auth } from "@auth/core";
import { encode } from "@auth/core/jwt";
import Cognito from "@auth/core/providers/cognito";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { betterAuth } from "better-auth";
import { memoryAdapter } from "better-auth/adapters/memory";
import { createLocalJWKSet, jwtVerify } from "jose";
import { createStorage } from "unstorage";
import { modPow } from "../../adapters/node-crypto.ts";
import { createSrpClient } from "../../src/cognito/srp.ts";
import { createWarrant } from "../../src/mod.ts";
import { aws as awsSrp, type Impl, ours as oursSrp, vector } from "../srp/impls.ts";

const secret = "bench-secret-0123456789-abcdefghijklmnop";
const userPoolId = "eu-west-1_Bench0001";
const clientId = "bench-client";
const issuer = `https://cognito-idp.eu-west-1.amazonaws.com/${userPoolId}`;

/**
 * Times contenders side by side: a warm-up for each, then rounds in which each runs one batch of
 * `batch` sequential calls in turn (so a drift of the machine's speed falls on all of them alike); the
 * figure is each one's median per-call mean, in µs.
 */
async function race(
  calls: number,
  contenders: Record<string, () => Promise<unknown>>,
  batch = 50,
): Promise<Record<string, number>> {
  const entries = Object.entries(contenders);
  for (const [, work] of entries) for (let i = 0; i < Math.min(1000, calls / 4); i++) await work();
  const samples = new Map(entries.map(([name]) => [name, [] as number[]]));
  for (let round = 0; round < calls / batch; round++) {
    for (const [name, work] of entries) {
      const start = performance.now();
      for (let j = 0; j < batch; j++) await work();
      samples.get(name)!.push(((performance.now() - start) / batch) * 1000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(entries.map(([name]) => [name, median(samples.get(name)!)]));
}

const b64url = (bytes: Uint8Array | string) =>
  btoa(typeof bytes === "string" ? bytes : String.fromCharCode(...bytes))
    .replace(/=+$/, "")
    .replace(/\+/g, "-")
    .replace(/\//g, "_");

// A Cognito-shaped RS256 access token and the JWKS that verifies it.
const keys = (await crypto.subtle.generateKey(
  {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
  true,
  ["sign", "verify"],
)) as CryptoKeyPair;
const jwk = {
  ...(await crypto.subtle.exportKey("jwk", keys.publicKey)),
  kid: "bench-key",
  alg: "RS256",
  use: "sig",
};
const jwks = { keys: [jwk] };
const now = Math.floor(Date.now() / 1000);
const signingInput = `${b64url(JSON.stringify({ alg: "RS256", kid: "bench-key" }))}.${b64url(
  JSON.stringify({
    sub: "bench-user",
    iss: issuer,
    client_id: clientId,
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: now,
    iat: now,
    exp: now + 3600,
    jti: "bench",
    username: "bench-user",
  }),
)}`;
const signature = new Uint8Array(
  await crypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new TextEncoder().encode(signingInput)),
);
const jwt = `${signingInput}.${b64url(signature)}`;

// FAKE_JWKS_FETCH: answers the pool's JWKS URL from memory, so warrant.verifyToken caches the keys
// without a network (the benchmark is about verification, and every peer here has the keys in memory).
const realFetch = globalThis.fetch;
globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
  String(input) === `${issuer}/.well-known/jwks.json`
    ? new Response(JSON.stringify(jwks), { headers: { "content-type": "application/json" } })
    : realFetch(input, init)) as typeof fetch;

// Ours.
const warrant = createWarrant({
  userPoolId,
  clientId,
  secret,
  authFlow: "USER_PASSWORD_AUTH",
  storage: createStorage(),
});
const fake = (claims: object) => `eyJhbGciOiJub25lIn0.${b64url(JSON.stringify(claims))}.sig`;
const created = await warrant.createSession({
  user: { username: "bench-user", sub: "bench-user", groups: [], email: "bench@example.com" },
  tokens: {
    idToken: fake({ sub: "bench-user" }),
    accessToken: fake({ sub: "bench-user" }),
    refreshToken: "r".repeat(1000),
    expiresAt: Date.now() + 3600_000,
  },
});
const ourRequest = new Request("http://localhost/app", {
  headers: { cookie: created.cookie.split(";")[0]! },
});
const app = warrant.protect((_r, { user }) => new Response(user.username));
if (!(await warrant.getSession(ourRequest))) throw new Error("our benchmark session is not found");
if (!(await warrant.verifyToken(jwt)).ok) throw new Error("warrant.verifyToken refuses the benchmark token");

// Auth.js, with its Cognito provider and its default JWT session cookie.
const authConfig = {
  basePath: "/auth",
  trustHost: true,
  secret,
  providers: [Cognito({ clientId, clientSecret: "bench", issuer })],
};
const authToken = await encode({
  token: { sub: "bench-user", name: "Bench", email: "bench@example.com" },
  secret,
  salt: "authjs.session-token",
});
const authRequest = () =>
  new Request("http://localhost/auth/session", { headers: { cookie: `authjs.session-token=${authToken}` } });
const authCheck = async () => (await Auth(authRequest(), authConfig)).json();
if (!((await authCheck()) as { user?: unknown }).user) throw new Error("Auth.js does not see its session");

// better-auth, with its memory adapter.
const better = betterAuth({
  database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
  secret,
  baseURL: "http://localhost",
  emailAndPassword: { enabled: true },
  logger: { disabled: true },
});
const signedUp = await better.api.signUpEmail({
  body: { email: "bench@example.com", password: "Corr3ct-Horse!", name: "Bench" },
  asResponse: true,
});
const betterHeaders = new Headers({
  cookie: signedUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; "),
});
if (!(await better.api.getSession({ headers: betterHeaders }))) throw new Error("better-auth has no session");

// Token verification peers, with the same checks ours makes (RS256, issuer, token_use, client_id, exp).
const awsVerifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId });
awsVerifier.cacheJwks(jwks as never);
await awsVerifier.verify(jwt);
const joseKeys = createLocalJWKSet(jwks as never);
const joseVerify = async () => {
  const { payload } = await jwtVerify(jwt, joseKeys, { issuer, algorithms: ["RS256"] });
  if (payload.token_use !== "access" || payload.client_id !== clientId) throw new Error("claims");
  return payload;
};
await joseVerify();

// SRP: ours with OpenSSL's power.
const oursModPow: Impl = {
  name: "warrant + OpenSSL modPow",
  async login() {
    const client = createSrpClient({ modPow });
    return (await client.respond({ ...vector, now: new Date() })).PASSWORD_CLAIM_SIGNATURE;
  },
  async check() {
    const a = Uint8Array.from(vector.a.match(/../g)!.map((h) => Number.parseInt(h, 16)));
    const client = createSrpClient({ random: (b) => b.set(a), modPow });
    return (await client.respond({ ...vector, now: new Date(vector.now) })).PASSWORD_CLAIM_SIGNATURE;
  },
};

/**
 * SRP logins side by side: each implementation first reproduces the known answer, then 14 rounds in
 * which each runs its batch (the AWS client, ~100× slower, one login a round); the median per-login
 * time in µs, under "srp: <name>".
 */
async function srpRace(impls: [Impl, number][]): Promise<Record<string, number>> {
  for (const [impl] of impls) {
    if ((await impl.check()) !== vector.signature) throw new Error(`${impl.name} misses the known answer`);
    for (let i = 0; i < 3; i++) await impl.login();
  }
  const samples = impls.map(() => [] as number[]);
  for (let round = 0; round < 14; round++) {
    for (const [i, [impl, batch]] of impls.entries()) {
      const start = performance.now();
      for (let j = 0; j < batch; j++) await impl.login();
      samples[i]!.push(((performance.now() - start) / batch) * 1000);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries(impls.map(([impl], i) => [`srp: ${impl.name}`, median(samples[i]!)]));
}

const results: Record<string, number> = {
  ...(await race(4_000, {
    "session: warrant.getSession": () => warrant.getSession(ourRequest),
    "session: warrant.protect, whole request": () => app(ourRequest),
    "session: Auth.js /auth/session (JWT cookie)": authCheck,
    "session: better-auth api.getSession (memory)": () => better.api.getSession({ headers: betterHeaders }),
  })),
  ...(await race(4_000, {
    "token: warrant.verifyToken": () => warrant.verifyToken(jwt),
    "token: aws-jwt-verify CognitoJwtVerifier": () => awsVerifier.verify(jwt),
    "token: jose jwtVerify": joseVerify,
  })),
  ...(await srpRace([
    [oursSrp, 8],
    [oursModPow, 8],
    [awsSrp, 1],
    // OpenSSL doing the whole login's maths (node:crypto hashes too): the floor, on Node.
    ...(process.versions.bun || process.versions.deno
      ? []
      : [[(await import("../srp/openssl.ts")).openssl, 8] as [Impl, number]]),
  ])),
};
globalThis.fetch = realFetch;
console.log(
  JSON.stringify({
    runtime: process.versions.bun ? "bun" : process.versions.deno ? "deno" : "node",
    results,
  }),
);
