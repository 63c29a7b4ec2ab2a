/**
 * @module
 * The demo's own Cognito: cognito-local on a free loopback port with a pool, an app client and two demo
 * users, one of them with TOTP two-step verification (Node only: it runs cognito-local as a child
 * process). cognito-local does not speak USER_SRP_AUTH, so the test suite's SRP responder sits in
 * front of it on the Cognito front: the demo then logs in with the library's default flow, as it would
 * against real Cognito.
 */
import { totpUri } from "../src/login/answers.ts";
import { enrolTotp } from "../test/support/challenges.ts";
import { startCognitoFront } from "../test/support/cognito-front.ts";
import { createTestPool, startCognitoLocal, type TestPool } from "../test/support/cognito-local.ts";
import { attachSrpResponder } from "../test/support/srp-responder.ts";

/** The issuer the demo's authenticator entry shows. */
export const demoTotpIssuer = "warrant demo";

/** What {@link startEmbeddedCognito} started. */
export interface EmbeddedCognito {
  /** Where the warrant talks to Cognito: the front, with SRP answered in front of cognito-local. */
  endpoint: string;
  pool: TestPool;
  /** A user who signs in with a password only. */
  user: { username: string; password: string };
  /** A user who also needs a code from an authenticator app set up with `secret` (or `uri`). */
  totpUser: { username: string; password: string; secret: string; uri: string };
  stop(): Promise<void>;
}

const demoPassword = () =>
  `Demo-${Math.random().toString(36).slice(2, 8)}-${Math.floor(Math.random() * 90 + 10)}!`;

/** Starts cognito-local, its front with the SRP responder, and creates the demo pool and users. */
export async function startEmbeddedCognito(): Promise<EmbeddedCognito> {
  const cognito = await startCognitoLocal();
  const front = await startCognitoFront(cognito.endpoint);
  const pool = await createTestPool(cognito.endpoint);
  const responder = attachSrpResponder(front, { userPoolId: pool.userPoolId });

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

  return {
    endpoint: front.endpoint,
    pool,
    user,
    totpUser: { ...totp, secret, uri: totpUri(demoTotpIssuer, totp.username, secret) },
    async stop() {
      responder.detach();
      await front.close();
      await cognito.stop();
    },
  };
}
