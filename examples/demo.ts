/**
 * @module
 * What the Bun, Deno and Workers launchers share with `npm start`: options from the environment, or an
 * embedded cognito-local with a demo user when none is configured, the store (Redis when REDIS_URL is
 * set) and the banner. Node-only parts (the child process) are loaded only when they are needed, so a
 * configured demo starts without them.
 */
import type { Storage } from "unstorage";
import type { WarrantOptions } from "../src/mod.ts";
import { type DemoEnv, optionsFromEnv, randomSecret } from "./config.ts";

/** The demo users printed by the banner, and the embedded Cognito they live in. */
export interface DemoCredentials {
  user: { username: string; password: string };
  /** A user who also needs a TOTP code: the secret and URI go into an authenticator app. */
  totpUser?: { username: string; password: string; secret: string; uri: string };
  /** A member of the staff group, for the admin pages. */
  staffUser?: { username: string; password: string; group: string };
  /** The embedded Cognito: the endpoint the warrant uses (the SRP front), cognito-local, pool and client. */
  embedded?: { endpoint: string; emulator: string; userPoolId: string; clientId: string };
}

/** What each code is for, by the Cognito call that sent it. */
const codePurpose: Record<string, string> = {
  SignUp: "sign-up confirmation",
  ResendConfirmationCode: "sign-up confirmation",
  ForgotPassword: "password reset",
  GetUserAttributeVerificationCode: "verification",
  UpdateUserAttributes: "verification",
  AdminUpdateUserAttributes: "verification",
  InitiateAuth: "sign-in code",
  RespondToAuthChallenge: "sign-in code",
};

/** The console line for a code the embedded Cognito sent (the demo's stand-in for an inbox). */
export function codeLine(code: { destination: string; reason: string; code: string }): string {
  return `[demo] code ${code.code} for ${code.destination} (${codePurpose[code.reason] ?? code.reason})`;
}

/** The demo's Cognito: configured, or embedded (then `stop` ends the child processes). */
export interface DemoCognito {
  options: Omit<WarrantOptions, "storage">;
  credentials?: DemoCredentials;
  stop(): Promise<void>;
}

/**
 * Options from the environment, or an embedded cognito-local behind its SRP responder, so the
 * library's default flow (USER_SRP_AUTH) works as against a real pool.
 */
export async function demoCognito(
  env: DemoEnv,
  print: (line: string) => void = (line) => console.log(line),
): Promise<DemoCognito> {
  const configured = optionsFromEnv(env);
  if (configured) return { options: configured, stop: async () => {} };
  const { demoTotpIssuer, startEmbeddedCognito } = await import("./embedded.ts");
  // No inbox here: every code the embedded Cognito sends is printed on the demo's console.
  const embedded = await startEmbeddedCognito({ onCode: (code) => print(codeLine(code)) });
  return {
    options: {
      userPoolId: embedded.pool.userPoolId,
      clientId: embedded.pool.clientId,
      endpoint: embedded.endpoint,
      // cognito-local takes any credentials; without them the SDK would look for real ones.
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      totpIssuer: demoTotpIssuer,
      secret: env.WARRANT_SECRET ?? randomSecret(),
    },
    credentials: {
      user: embedded.user,
      totpUser: embedded.totpUser,
      staffUser: embedded.staffUser,
      embedded: {
        endpoint: embedded.endpoint,
        emulator: embedded.emulator,
        userPoolId: embedded.pool.userPoolId,
        clientId: embedded.pool.clientId,
      },
    },
    stop: embedded.stop,
  };
}

/**
 * Redis (unstorage's redis driver) when REDIS_URL is set, memory otherwise. Keys live under
 * `warrant-demo:` as with `npm start`, or under REDIS_PREFIX, so that demos (and tests) can share one
 * Redis without meeting each other's users and sessions.
 */
export async function demoStorage(env: DemoEnv & { REDIS_PREFIX?: string }): Promise<Storage> {
  const { createStorage } = await import("unstorage");
  if (!env.REDIS_URL) return createStorage();
  const { default: redisDriver } = await import("unstorage/drivers/redis");
  return createStorage({
    driver: redisDriver({ url: env.REDIS_URL, base: env.REDIS_PREFIX || "warrant-demo" }),
  });
}

/** The lines `npm start` prints, for every runtime. */
export function banner(
  url: string,
  basePath: string,
  authFlow: string,
  credentials?: DemoCredentials,
): string {
  const lines = [`@warrant/cognito demo on ${url}`, `  sign in at ${url}${basePath}/login (${authFlow})`];
  if (credentials) {
    const { user, totpUser, staffUser, embedded } = credentials;
    lines.push(`  demo user: ${user.username}`, `  password:  ${user.password}`);
    if (totpUser) {
      lines.push(
        `  two-step user: ${totpUser.username}`,
        `  password:      ${totpUser.password}`,
        `  TOTP secret:   ${totpUser.secret}  (add it to an authenticator app)`,
        `  otpauth URI:   ${totpUser.uri}`,
      );
    }
    if (staffUser) {
      lines.push(
        `  staff user:    ${staffUser.username}  (group ${staffUser.group}: ${url}${basePath}/admin/users)`,
        `  password:      ${staffUser.password}`,
      );
    }
    if (embedded) {
      lines.push(
        `  embedded Cognito: ${embedded.endpoint}  (SRP answered in front of cognito-local at ${embedded.emulator})`,
        `  pool id:          ${embedded.userPoolId}`,
        `  client id:        ${embedded.clientId}`,
        "  codes (sign-up, password reset, verification) are printed here as [demo] lines when sent",
      );
    }
    lines.push(
      "  (embedded cognito-local; set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use your own pool)",
    );
  }
  return lines.join("\n");
}
