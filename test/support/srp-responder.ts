/**
 * @module
 * The server side of Cognito's SRP login, written from the protocol, for tests: cognito-local has no
 * `USER_SRP_AUTH`, so this answers it in front of cognito-local.
 *
 *   InitiateAuth(USER_SRP_AUTH, USERNAME, SRP_A)
 *     → PASSWORD_VERIFIER with SALT, SRP_B, SECRET_BLOCK, USER_ID_FOR_SRP, USERNAME
 *   RespondToAuthChallenge(PASSWORD_VERIFIER, PASSWORD_CLAIM_SIGNATURE, TIMESTAMP, ...)
 *     → the proof is checked here; then real cognito-local tokens, minted by a USER_PASSWORD_AUTH
 *       login sent straight to cognito-local (so a user with MFA gets cognito-local's next challenge)
 *
 * A server must know a verifier v = g^x per user, so tests register users with their password
 * (`addUser`). The maths here is deliberately plain (square-and-multiply, node:crypto hashes) and shares
 * no code with `src/cognito/srp.ts`, so that each side checks the other. amazon-cognito-identity-js
 * logging in through it is what shows it speaks Cognito's dialect.
 *
 * Choices where real Cognito's exact behaviour is not observable here, made to fail closed:
 * - an unknown user gets a challenge with a random salt and B and then "Incorrect username or
 *   password." (as Cognito does with PreventUserExistenceErrors);
 * - SECRET_BLOCK is random and names one pending login, usable once, for five minutes;
 * - TIMESTAMP must parse in Cognito's format and be within `maxSkewSeconds` of the responder's clock.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { CognitoFront } from "./cognito-front.ts";

const N = BigInt(
  "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
const g = 2n;

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

/** Java's BigInteger.toByteArray() for n ≥ 0, which is how Cognito feeds integers to SHA-256. */
function javaBytes(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex[0]!, 16) >= 8) hex = `00${hex}`;
  return Buffer.from(hex, "hex");
}

const H = (...parts: (Buffer | string)[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const int = (bytes: Buffer) => BigInt(`0x${bytes.toString("hex") || "0"}`);
const k = int(H(javaBytes(N), javaBytes(g)));

/** The verifier of a password: x = H(salt | H(poolName + userIdForSrp + ":" + password)), v = g^x. */
export function srpVerifier(
  poolName: string,
  userIdForSrp: string,
  password: string,
  saltHex: string,
): bigint {
  const x = int(H(javaBytes(BigInt(`0x${saltHex}`)), H(`${poolName}${userIdForSrp}:${password}`)));
  return modPow(g, x, N);
}

/** B = k·v + g^b for a fresh b. */
export function srpServerB(v: bigint): { b: bigint; B: bigint } {
  for (;;) {
    const b = int(randomBytes(32));
    const B = (k * v + modPow(g, b, N)) % N;
    if (B !== 0n) return { b, B };
  }
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const TIMESTAMP =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) ([A-Z][a-z]{2}) ([1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) UTC ([0-9]{4})$/;

/** Reads Cognito's "ddd MMM D HH:mm:ss UTC YYYY"; undefined when it is not exactly that. */
export function parseCognitoTimestamp(text: string): Date | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!);
  if (month < 0) return undefined;
  const date = new Date(
    Date.UTC(Number(m[7]), month, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])),
  );
  if (date.getUTCDate() !== Number(m[3]) || WEEKDAYS[date.getUTCDay()] !== m[1]) return undefined;
  return date;
}

/**
 * The signature a client must send: S = (A·v^u)^b, key = HKDF(S, u, "Caldera Derived Key")[0:16],
 * HMAC(key, poolName | userIdForSrp | secretBlock | timestamp). Throws when A or u is unacceptable.
 */
export function srpExpectedSignature(input: {
  poolName: string;
  userIdForSrp: string;
  v: bigint;
  b: bigint;
  A: bigint;
  B: bigint;
  secretBlock: Uint8Array;
  timestamp: string;
}): Buffer {
  const { A, B, v, b } = input;
  if (A % N === 0n) throw new Error("SRP_A mod N is 0");
  const uBytes = H(javaBytes(A), javaBytes(B));
  const u = int(uBytes);
  if (u === 0n) throw new Error("u is 0");
  const S = modPow((A * modPow(v, u, N)) % N, b, N);
  const prk = createHmac("sha256", javaBytes(u)).update(javaBytes(S)).digest();
  const key = createHmac("sha256", prk)
    .update(Buffer.concat([Buffer.from("Caldera Derived Key", "utf8"), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
  return createHmac("sha256", key)
    .update(input.poolName)
    .update(input.userIdForSrp)
    .update(input.secretBlock)
    .update(input.timestamp)
    .digest();
}

interface User {
  username: string;
  userIdForSrp: string;
  password: string;
  salt: string;
  v: bigint;
}

interface Pending {
  user: User | undefined;
  typed: string;
  clientId: string;
  A: bigint;
  B: bigint;
  b: bigint;
  expires: number;
}

export interface SrpResponder {
  /**
   * Registers a user so the responder can derive its verifier. `username` is what the user types (e.g.
   * the email); the Cognito username (USER_ID_FOR_SRP) is looked up with AdminGetUser unless given.
   * Register again after changing the password. Returns USER_ID_FOR_SRP.
   */
  addUser(username: string, password: string, options?: { userIdForSrp?: string }): Promise<string>;
  /** Proofs checked so far: how many passed and how many failed. */
  readonly stats: { passed: number; failed: number };
  /** Stops answering SRP on the front. */
  detach(): void;
}

export interface SrpResponderOptions {
  userPoolId: string;
  /** The responder's clock, for TIMESTAMP checks. */
  now?: () => Date;
  /** How far TIMESTAMP may be from `now`. Default 300. */
  maxSkewSeconds?: number;
  /**
   * Learn passwords as Cognito does: from a successful SignUp, ChangePassword, ConfirmForgotPassword,
   * AdminSetUserPassword and NEW_PASSWORD_REQUIRED answer, so users can sign in with SRP after them
   * without `addUser` (the demo). Off by default: a test registers exactly the users it means.
   */
  followPasswords?: boolean;
}

const notAuthorized = {
  status: 400,
  body: { __type: "NotAuthorizedException", message: "Incorrect username or password." },
};
const invalid = (message: string) => ({
  status: 400,
  body: { __type: "InvalidParameterException", message },
});

/** Answers USER_SRP_AUTH and PASSWORD_VERIFIER on `front` for users registered with `addUser`. */
export function attachSrpResponder(front: CognitoFront, options: SrpResponderOptions): SrpResponder {
  const poolName = options.userPoolId.split("_")[1] ?? "";
  const now = options.now ?? (() => new Date());
  const maxSkewMs = (options.maxSkewSeconds ?? 300) * 1000;
  const users = new Map<string, User>();
  const pending = new Map<string, Pending>();
  const stats = { passed: 0, failed: 0 };

  front.intercept("InitiateAuth", async (body) => {
    if (body.AuthFlow !== "USER_SRP_AUTH") return undefined;
    const typed = body.AuthParameters?.USERNAME;
    const srpA = body.AuthParameters?.SRP_A;
    if (typeof typed !== "string" || !typed) return invalid("Missing required parameter USERNAME");
    if (typeof srpA !== "string" || !/^[0-9a-fA-F]+$/.test(srpA))
      return invalid("Missing required parameter SRP_A");
    const A = BigInt(`0x${srpA}`);
    if (A % N === 0n) return invalid("SRP_A mod N cannot be 0");
    const user = users.get(typed);
    // An unknown user gets a well-formed challenge that no proof can pass, so the first answer does not
    // tell who exists.
    const salt = user?.salt ?? randomBytes(16).toString("hex");
    const { b, B } = srpServerB(user?.v ?? int(randomBytes(384)) % N);
    const secretBlock = randomBytes(96).toString("base64");
    pending.set(secretBlock, {
      user,
      typed,
      clientId: body.ClientId,
      A,
      B,
      b,
      expires: Date.now() + 300_000,
    });
    const userId = user?.userIdForSrp ?? typed;
    return {
      status: 200,
      body: {
        ChallengeName: "PASSWORD_VERIFIER",
        ChallengeParameters: {
          SALT: salt,
          SECRET_BLOCK: secretBlock,
          SRP_B: B.toString(16),
          USERNAME: userId,
          USER_ID_FOR_SRP: userId,
        },
      },
    };
  });

  front.intercept("RespondToAuthChallenge", async (body, forward) => {
    if (body.ChallengeName === "NEW_PASSWORD_REQUIRED" && options.followPasswords) {
      const answer = await forward(body);
      const r = body.ChallengeResponses ?? {};
      if (answer.status === 200 && typeof r.NEW_PASSWORD === "string" && typeof r.USERNAME === "string")
        await learn(r.USERNAME, r.NEW_PASSWORD);
      return answer;
    }
    if (body.ChallengeName !== "PASSWORD_VERIFIER") return undefined;
    const r = body.ChallengeResponses ?? {};
    for (const name of ["USERNAME", "PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP"]) {
      if (typeof r[name] !== "string" || !r[name]) return invalid(`Missing required parameter ${name}`);
    }
    const state = pending.get(r.PASSWORD_CLAIM_SECRET_BLOCK);
    pending.delete(r.PASSWORD_CLAIM_SECRET_BLOCK);
    const fail = () => {
      stats.failed++;
      return notAuthorized;
    };
    if (!state || state.expires < Date.now() || state.clientId !== body.ClientId || !state.user)
      return fail();
    const user = state.user;
    if (r.USERNAME !== user.userIdForSrp && r.USERNAME !== state.typed) return fail();
    const when = parseCognitoTimestamp(r.TIMESTAMP);
    if (!when) return invalid("TIMESTAMP format is invalid");
    if (Math.abs(when.getTime() - now().getTime()) > maxSkewMs) return fail();
    let expected: Buffer;
    try {
      expected = srpExpectedSignature({
        poolName,
        userIdForSrp: user.userIdForSrp,
        v: user.v,
        b: state.b,
        A: state.A,
        B: state.B,
        secretBlock: Buffer.from(r.PASSWORD_CLAIM_SECRET_BLOCK, "base64"),
        timestamp: r.TIMESTAMP,
      });
    } catch {
      return fail();
    }
    const given = Buffer.from(r.PASSWORD_CLAIM_SIGNATURE, "base64");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail();
    stats.passed++;
    return await front.forward("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: body.ClientId,
      AuthParameters: { USERNAME: state.typed, PASSWORD: user.password },
      ...(body.ClientMetadata ? { ClientMetadata: body.ClientMetadata } : {}),
    });
  });

  /** The user `typed` names, under every name already registered for it, with a new password. */
  const learn = async (typed: string, password: string) => {
    const found = await front.forward("AdminGetUser", { UserPoolId: options.userPoolId, Username: typed });
    if (found.status !== 200 || typeof found.body.Username !== "string") return;
    const userIdForSrp = found.body.Username as string;
    const email = (found.body.UserAttributes as { Name: string; Value: string }[] | undefined)?.find(
      (a) => a.Name === "email",
    )?.Value;
    const names = new Set([typed, userIdForSrp, ...(email ? [email] : [])]);
    for (const [name, user] of users) if (user.userIdForSrp === userIdForSrp) names.add(name);
    const salt = randomBytes(16).toString("hex");
    const user: User = {
      username: typed,
      userIdForSrp,
      password,
      salt,
      v: srpVerifier(poolName, userIdForSrp, password, salt),
    };
    for (const name of names) users.set(name, user);
  };

  const followed = ["SignUp", "ChangePassword", "ConfirmForgotPassword", "AdminSetUserPassword"] as const;
  if (options.followPasswords) {
    for (const target of followed) {
      front.intercept(target, async (body, forward) => {
        const answer = await forward(body);
        if (answer.status !== 200) return answer;
        if (target === "ChangePassword") {
          // The access token names the user: ask who it is, as the password change itself did.
          const me = await front.forward("GetUser", { AccessToken: body.AccessToken });
          if (me.status === 200 && typeof me.body.Username === "string")
            await learn(me.body.Username, body.ProposedPassword);
        } else {
          if (typeof body.Username === "string" && typeof body.Password === "string")
            await learn(body.Username, body.Password);
        }
        return answer;
      });
    }
  }

  return {
    stats,
    async addUser(username, password, opts = {}) {
      let userIdForSrp = opts.userIdForSrp;
      if (!userIdForSrp) {
        const found = await front.forward("AdminGetUser", {
          UserPoolId: options.userPoolId,
          Username: username,
        });
        if (found.status !== 200 || typeof found.body.Username !== "string") {
          throw new Error(
            `srp-responder: AdminGetUser(${username}) answered ${found.status} ${found.body.__type ?? ""}`,
          );
        }
        userIdForSrp = found.body.Username as string;
      }
      const salt = randomBytes(16).toString("hex");
      const user: User = {
        username,
        userIdForSrp,
        password,
        salt,
        v: srpVerifier(poolName, userIdForSrp, password, salt),
      };
      users.set(username, user);
      // Cognito also accepts the Cognito username itself at sign-in.
      users.set(userIdForSrp, user);
      return userIdForSrp;
    },
    detach() {
      front.intercept("InitiateAuth", undefined);
      front.intercept("RespondToAuthChallenge", undefined);
      if (options.followPasswords) for (const target of followed) front.intercept(target, undefined);
    },
  };
}
