/**
 * @module
 * The demo's own Cognito: cognito-local on a free loopback port with a pool, an app client and a demo
 * user (Node only: it runs cognito-local as a child process).
 */
import { createTestPool, startCognitoLocal } from "../test/support/cognito-local.ts";

/** Starts cognito-local and creates the demo pool and user. */
export async function startEmbeddedCognito() {
  const cognito = await startCognitoLocal();
  const pool = await createTestPool(cognito.endpoint);
  const username = "demo@example.com";
  const password = `Demo-${Math.random().toString(36).slice(2, 8)}-${Math.floor(Math.random() * 90 + 10)}!`;
  await pool.createUser({
    email: username,
    password,
    attributes: { given_name: "Demo", family_name: "User" },
  });
  return { cognito, pool, username, password };
}
