/**
 * @module
 * Starts moto (`moto_server`, a Python package on the machine image) on a free loopback port, for what
 * cognito-local does not emulate: API Gateway usage plans, usage-plan keys and API keys, and Cognito's
 * GlobalSignOut / AdminUserGlobalSignOut ({@link createMotoPool}). Each test file
 * that needs it starts its own, so the plans one file makes are never another file's.
 *
 * moto differs from API Gateway where it matters here (see EMULATORS.md): CreateUsagePlanKey accepts a
 * plan that does not exist, a second CreateUsagePlanKey of the same pair succeeds (API Gateway answers
 * ConflictException), DeleteUsagePlanKey of a key that is not on the plan answers 500 (API Gateway:
 * NotFoundException), and GetApiKeys / GetUsagePlans ignore `limit` (one page).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:http";
import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  type QuotaPeriodType,
} from "@aws-sdk/client-api-gateway";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { freePort } from "./cognito-local.ts";

/** True when `moto_server` is on PATH. */
export const motoInstalled: boolean = spawnSync("sh", ["-c", "command -v moto_server"]).status === 0;

export interface Moto {
  endpoint: string;
  /** An API Gateway client for fixtures (moto takes any credentials). */
  gateway: APIGatewayClient;
  stop(): Promise<void>;
}

/** The region the fixtures and the extension use against moto. */
export const MOTO_REGION = "eu-west-1";
/** moto takes any credentials; without them the SDK would look for real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: "moto", secretAccessKey: "moto" };

/** Starts `moto_server -H 127.0.0.1 -p <free port>` and waits until it answers. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const kill = () => child.kill("SIGTERM");
  process.once("exit", kill);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited early:\n${output}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      await res.arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`moto_server did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const gateway = new APIGatewayClient({
    endpoint,
    region: MOTO_REGION,
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    endpoint,
    gateway,
    async stop() {
      process.off("exit", kill);
      gateway.destroy();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        kill();
        await exited;
      }
    },
  };
}

/** Makes a usage plan; returns its id. */
export async function createPlan(
  moto: Moto,
  input: {
    name: string;
    description?: string;
    throttle?: { rateLimit: number; burstLimit: number };
    quota?: { limit: number; period: QuotaPeriodType };
  },
): Promise<string> {
  const plan = await moto.gateway.send(
    new CreateUsagePlanCommand({
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      ...(input.throttle ? { throttle: input.throttle } : {}),
      ...(input.quota ? { quota: { ...input.quota, offset: 0 } } : {}),
    }),
  );
  return plan.id!;
}

/** Makes an API key (enabled unless said otherwise), on the given plans; returns its id and value. */
export async function createKey(
  moto: Moto,
  input: { name: string; enabled?: boolean; plans?: string[] },
): Promise<{ id: string; value: string }> {
  const key = await moto.gateway.send(
    new CreateApiKeyCommand({ name: input.name, enabled: input.enabled ?? true }),
  );
  for (const usagePlanId of input.plans ?? []) {
    await moto.gateway.send(
      new CreateUsagePlanKeyCommand({ usagePlanId, keyId: key.id!, keyType: "API_KEY" }),
    );
  }
  return { id: key.id!, value: key.value! };
}

/** A loopback front for moto that counts the requests the extension sends, by method and path. */
export interface GatewayFront {
  endpoint: string;
  /** The requests seen, oldest first, as `GET /apikeys` (the path without its query). */
  requests(): string[];
  /** How many requests matched. */
  count(pattern: RegExp): number;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a counting front that forwards everything to `upstream` (a moto endpoint). */
export async function startGatewayFront(upstream: string): Promise<GatewayFront> {
  const seen: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? "/", upstream);
    seen.push(`${req.method} ${url.pathname}`);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers))
      if (typeof v === "string" && k !== "host") headers.set(k, v);
    try {
      const r = await fetch(url, {
        method: req.method ?? "GET",
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      });
      const body = Buffer.from(await r.arrayBuffer());
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
      res.end(body);
    } catch {
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    count: (pattern) => seen.filter((r) => pattern.test(r)).length,
    reset() {
      seen.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A user pool, app client and users in moto, for the calls cognito-local lacks (global sign-out). */
export interface MotoPool {
  userPoolId: string;
  clientId: string;
  cognito: CognitoIdentityProviderClient;
  /** Creates a confirmed user with a permanent password (and an email); returns the Cognito username. */
  createUser(username: string, password: string, groups?: string[]): Promise<string>;
  /** Removes a user from a group. */
  removeFromGroup(username: string, group: string): Promise<void>;
}

/**
 * Makes a pool whose app client allows USER_PASSWORD_AUTH and refresh, with the named groups. It lives
 * in us-east-1, moto's default region: the SDK sends GlobalSignOut unsigned (real Cognito needs no
 * signature for it), and moto then looks for the token in its default region's pools only.
 */
export async function createMotoPool(moto: Moto, groups: string[] = []): Promise<MotoPool> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: moto.endpoint,
    region: "us-east-1",
    credentials: MOTO_CREDENTIALS,
    maxAttempts: 1,
  });
  const pool = await cognito.send(new CreateUserPoolCommand({ PoolName: `p${Date.now()}` }));
  const userPoolId = pool.UserPool!.Id!;
  const client = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: "warrant",
      ExplicitAuthFlows: [
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
      ],
    }),
  );
  for (const group of groups)
    await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group }));
  return {
    userPoolId,
    clientId: client.UserPoolClient!.ClientId!,
    cognito,
    async createUser(username, password, inGroups = []) {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          MessageAction: "SUPPRESS",
          UserAttributes: [{ Name: "email", Value: `${username}@example.com` }],
        }),
      );
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: username,
          Password: password,
          Permanent: true,
        }),
      );
      for (const group of inGroups)
        await cognito.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
        );
      return username;
    },
    async removeFromGroup(username, group) {
      await cognito.send(
        new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }),
      );
    },
  };
}
