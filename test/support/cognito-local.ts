/**
 * @module
 * Starts the test Cognito (cognito-local) and builds pools, clients and users in it.
 *
 * One cognito-local serves a whole test run: `test/run.ts` starts it and passes its endpoint to every
 * test file in `WARRANT_TEST_COGNITO`. A file run on its own starts its own. Each test file makes its own
 * pool, so files never share users.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type ExplicitAuthFlowsType,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * cognito-local is a Node program: under Bun or Deno (which also run this file) `process.execPath` is
 * their own binary, so start it with the `node` on PATH there.
 */
function nodeBinary(): string {
  const isNode = !process.versions.bun && !("Deno" in globalThis);
  return isNode ? process.execPath : "node";
}

export interface CognitoLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * The code the run's cognito-local sends for every verification (sign-up, forgot password, SMS).
 * cognito-local delivers codes only to its log; its CODE setting fixes them, so tests can type them.
 */
export const TEST_CODE = "135790";

/** Options of {@link startCognitoLocal}, for tests that need an instance of their own. */
export interface CognitoLocalOptions {
  /** Working folder (its data lives in `<dir>/.cognito/db`); kept on stop. @default a temp folder, removed on stop */
  dir?: string;
  /** Extra environment, e.g. `CODE`: cognito-local then sends that code in every message instead of a random one. */
  env?: Record<string, string>;
  /** Called with everything cognito-local prints (its log: where it delivers codes), as it prints it. */
  onOutput?: (text: string) => void;
}

/** Starts cognito-local in a temp folder on a free loopback port and waits until it answers. */
export async function startCognitoLocal(options: CognitoLocalOptions = {}): Promise<CognitoLocal> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), "warrant-cognito-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    nodeBinary(),
    [join(root, "node_modules/cognito-local/lib/bin/start.js")],
    {
      cwd: dir,
      env: { ...process.env, DEBUG: "", ...options.env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  let started = false;
  const take = (d: unknown) => {
    // Kept for the error message of a failed start only: a long-running demo logs without end.
    if (!started) output += d;
    options.onOutput?.(String(d));
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`cognito-local exited early:\n${output}`);
    try {
      const res = await fetch(endpoint, { method: "POST", body: "{}" });
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`cognito-local did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  started = true;
  return {
    endpoint,
    async stop() {
      // Killed by a signal (e.g. with its process group), a child keeps exitCode null and never exits again.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let shared: Promise<string> | undefined;

/**
 * The endpoint of the run's cognito-local (`WARRANT_TEST_COGNITO`), or of one started for this process
 * and stopped when it exits.
 */
export function cognitoEndpoint(): Promise<string> {
  const fromRun = process.env.WARRANT_TEST_COGNITO;
  if (fromRun) return Promise.resolve(fromRun);
  shared ??= startCognitoLocal({ env: { CODE: TEST_CODE } }).then((c) => {
    process.once("exit", () => {
      // A synchronous best effort: the child dies with us otherwise anyway.
      void c.stop();
    });
    return c.endpoint;
  });
  return shared;
}

/** An SDK client for setting up fixtures (cognito-local accepts any credentials). */
export function adminClient(endpoint: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

export interface TestPool {
  endpoint: string;
  userPoolId: string;
  /** An app client without a secret. */
  clientId: string;
  /** An app client with a secret. */
  secretClientId: string;
  clientSecret: string;
  admin: CognitoIdentityProviderClient;
  /** Creates a confirmed user (SignUp + AdminConfirmSignUp) and returns its Cognito username (the sub). */
  createUser(input: {
    email: string;
    password: string;
    attributes?: Record<string, string>;
    groups?: string[];
  }): Promise<string>;
}

const flows: ExplicitAuthFlowsType[] = [
  "ALLOW_USER_PASSWORD_AUTH",
  "ALLOW_ADMIN_USER_PASSWORD_AUTH",
  "ALLOW_USER_SRP_AUTH",
  "ALLOW_REFRESH_TOKEN_AUTH",
];

/** How a test pool differs from the default one. */
export interface TestPoolOptions {
  /**
   * Attributes Cognito sends codes to verify (the pool's AutoVerifiedAttributes). cognito-local sends
   * attribute verification codes only in pools that have some. @default none
   */
  autoVerify?: ("email" | "phone_number")[];
}

/** Creates a pool with two app clients (one with a secret) in the given cognito-local. */
export async function createTestPool(endpoint?: string, options: TestPoolOptions = {}): Promise<TestPool> {
  const ep = endpoint ?? (await cognitoEndpoint());
  const admin = adminClient(ep);
  const pool = await admin.send(
    new CreateUserPoolCommand({
      PoolName: `warrant-test-${crypto.randomUUID().slice(0, 8)}`,
      MfaConfiguration: "OPTIONAL",
      ...(options.autoVerify ? { AutoVerifiedAttributes: options.autoVerify } : {}),
    }),
  );
  const userPoolId = pool.UserPool!.Id!;
  const plain = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "plain",
      ExplicitAuthFlows: flows,
    }),
  );
  const secret = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "secret",
      GenerateSecret: true,
      ExplicitAuthFlows: flows,
    }),
  );
  const groups = new Set<string>();
  return {
    endpoint: ep,
    userPoolId,
    clientId: plain.UserPoolClient!.ClientId!,
    secretClientId: secret.UserPoolClient!.ClientId!,
    clientSecret: secret.UserPoolClient!.ClientSecret!,
    admin,
    async createUser({ email, password, attributes = {}, groups: userGroups = [] }) {
      const signUp = await admin.send(
        new SignUpCommand({
          ClientId: plain.UserPoolClient!.ClientId!,
          Username: email,
          Password: password,
          UserAttributes: [
            { Name: "email", Value: email },
            ...Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
          ],
        }),
      );
      await admin.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));
      const username = signUp.UserSub!;
      for (const group of userGroups) {
        if (!groups.has(group)) {
          await admin.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
          groups.add(group);
        }
        await admin.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
        );
      }
      return username;
    },
  };
}

/** Sets user attributes as an administrator would (for tests that change a user behind the library). */
export async function setAttributes(pool: TestPool, username: string, attributes: Record<string, string>) {
  await pool.admin.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: pool.userPoolId,
      Username: username,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );
}

export { AdminSetUserMFAPreferenceCommand };
