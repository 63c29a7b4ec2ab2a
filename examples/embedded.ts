/**
 * @module
 * The demo's own Cognito: cognito-local on a free loopback port with a pool, an app client and three demo
 * users (one with TOTP two-step verification, one in the staff group), for Node, Bun and Deno alike (it
 * runs cognito-local as a child process). cognito-local does not speak USER_SRP_AUTH, so the test suite's
 * SRP responder sits in front of it on the Cognito front, following every password set after start
 * (sign-up, change, reset): the demo then logs in with the library's default flow, as it would against
 * real Cognito. cognito-local "delivers" codes to its log; they are read from there and handed to
 * `onCode`, so the demo can print them.
 */
import { totpUri } from "../src/login/answers.ts";
import { enrolTotp } from "../test/support/challenges.ts";
import { startCognitoFront } from "../test/support/cognito-front.ts";
import { createTestPool, startCognitoLocal, type TestPool } from "../test/support/cognito-local.ts";
import { attachSrpResponder } from "../test/support/srp-responder.ts";

/** The issuer the demo's authenticator entry shows. */
export const demoTotpIssuer = "warrant demo";

/** A code cognito-local sent: to whom, for what (the API call that sent it), and the code. */
export interface DeliveredCode {
  destination: string;
  /** The Cognito call that sent it: SignUp, ResendConfirmationCode, ForgotPassword, … */
  reason: string;
  code: string;
}

/** What {@link startEmbeddedCognito} started. */
export interface EmbeddedCognito {
  /** Where the warrant talks to Cognito: the front, with SRP answered in front of cognito-local. */
  endpoint: string;
  /** cognito-local itself, behind the front. */
  emulator: string;
  pool: TestPool;
  /** A user who signs in with a password only. */
  user: { username: string; password: string };
  /** A user who also needs a code from an authenticator app set up with `secret` (or `uri`). */
  totpUser: { username: string; password: string; secret: string; uri: string };
  /** A member of the staff group, who may use the admin pages. */
  staffUser: { username: string; password: string; group: string };
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedCognito}. */
export interface EmbeddedOptions {
  /** Called with each code cognito-local sends (sign-up, password reset, attribute verification, SMS). */
  onCode?: (code: DeliveredCode) => void;
  /** The group of the staff user: the first of the warrant's `staffGroups`. @default "admin" */
  staffGroup?: string;
}

const demoPassword = () =>
  `Demo-${Math.random().toString(36).slice(2, 8)}-${Math.floor(Math.random() * 90 + 10)}!`;

// cognito-local's "Confirmation Code Delivery" box: `<reqId> <Target> ╭ … Destination: … Code: … ╯`.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the log is coloured with ANSI escapes
const ansi = /\u001b\[[0-9;]*m/g;
const box = /(\w+) ╭[^╯]*?Destination:\s+(\S+)[^╯]*?Code:\s+(\S+)[^╯]*╯/;

/** Reads codes out of cognito-local's log as it arrives in chunks. */
export function codeReader(onCode: (code: DeliveredCode) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    pending += chunk.replace(ansi, "");
    for (let m = box.exec(pending); m; m = box.exec(pending)) {
      onCode({ reason: m[1]!, destination: m[2]!, code: m[3]! });
      pending = pending.slice(m.index + m[0].length);
    }
    // A box never spans more than a few lines; drop what cannot be the start of one.
    const open = pending.lastIndexOf("╭");
    pending = open < 0 ? "" : pending.slice(Math.max(0, open - 200));
  };
}

/** Starts cognito-local, its front with the SRP responder, and creates the demo pool and users. */
export async function startEmbeddedCognito(options: EmbeddedOptions = {}): Promise<EmbeddedCognito> {
  // The demo users' own sign-up codes are not news: codes are handed on once they exist.
  let ready = false;
  const onCode = options.onCode;
  const cognito = await startCognitoLocal(
    // Its log runs one line behind (a line goes out when the next is written); the debug lines that
    // follow each request push a code out while the request that sent it is still answering.
    onCode ? { env: { DEBUG: "1" }, onOutput: codeReader((code) => ready && onCode(code)) } : {},
  );
  const front = await startCognitoFront(cognito.endpoint);
  // Email is verified by a code, as in most real pools: that is what makes cognito-local send sign-up codes.
  const pool = await createTestPool(cognito.endpoint, { autoVerify: ["email"] });
  const responder = attachSrpResponder(front, { userPoolId: pool.userPoolId, followPasswords: true });

  const user = { username: "demo@example.com", password: demoPassword() };
  await pool.createUser({
    email: user.username,
    password: user.password,
    attributes: { given_name: "Demo", family_name: "User" },
  });
  await responder.addUser(user.username, user.password);

  const totp = { username: "totp@example.com", password: demoPassword() };
  await pool.createUser({
    email: totp.username,
    password: totp.password,
    attributes: { given_name: "Two-step", family_name: "User" },
  });
  const secret = await enrolTotp(pool, totp.username, totp.password);
  await responder.addUser(totp.username, totp.password);

  const group = options.staffGroup ?? "admin";
  const staff = { username: "admin@example.com", password: demoPassword(), group };
  await pool.createUser({
    email: staff.username,
    password: staff.password,
    attributes: { given_name: "Staff", family_name: "User" },
    groups: [group],
  });
  await responder.addUser(staff.username, staff.password);
  ready = true;

  return {
    endpoint: front.endpoint,
    emulator: cognito.endpoint,
    pool,
    user,
    totpUser: { ...totp, secret, uri: totpUri(demoTotpIssuer, totp.username, secret) },
    staffUser: staff,
    async stop() {
      responder.detach();
      await front.close();
      await cognito.stop();
    },
  };
}
