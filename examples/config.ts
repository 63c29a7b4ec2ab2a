/**
 * @module
 * The demo's configuration from environment variables (only the demo reads the environment; the
 * library never does).
 */
import type { AuthFlow, WarrantOptions } from "../src/mod.ts";

/** The variables the demo reads. */
export interface DemoEnv {
  COGNITO_USER_POOL_ID?: string;
  COGNITO_CLIENT_ID?: string;
  COGNITO_CLIENT_SECRET?: string;
  COGNITO_ENDPOINT?: string;
  COGNITO_AUTH_FLOW?: string;
  WARRANT_SECRET?: string;
  REDIS_URL?: string;
  PORT?: string;
}

/** Options from the environment, or undefined when no pool is configured (the demo then embeds one). */
export function optionsFromEnv(env: DemoEnv): Omit<WarrantOptions, "storage"> | undefined {
  if (!env.COGNITO_USER_POOL_ID || !env.COGNITO_CLIENT_ID) return undefined;
  return {
    userPoolId: env.COGNITO_USER_POOL_ID,
    clientId: env.COGNITO_CLIENT_ID,
    ...(env.COGNITO_CLIENT_SECRET ? { clientSecret: env.COGNITO_CLIENT_SECRET } : {}),
    ...(env.COGNITO_ENDPOINT ? { endpoint: env.COGNITO_ENDPOINT } : {}),
    ...(env.COGNITO_AUTH_FLOW ? { authFlow: env.COGNITO_AUTH_FLOW as AuthFlow } : {}),
    secret: env.WARRANT_SECRET ?? randomSecret(),
  };
}

/** A per-process secret for the demo when WARRANT_SECRET is not set (sessions end with the process). */
export function randomSecret(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join(
    "",
  );
}
