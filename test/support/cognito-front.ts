/**
 * @module
 * A loopback HTTP front for cognito-local that makes it behave more like real Cognito, counts calls,
 * and can fake faults on demand.
 *
 * - Real Cognito checks SECRET_HASH for app clients with a secret; cognito-local ignores it. The front
 *   checks it for the clients it is told about and answers as Cognito does (NotAuthorizedException).
 * - `calls(target)` counts what reached Cognito, so a test can show that bad input never did.
 * - `fakeFault(...)` is the only fake here: a 5xx, a throttle or a dropped connection that no emulator
 *   produces on demand. Tests that use it say so.
 * - `intercept(target, fn)` lets a test-support responder (the SRP one) answer a target itself.
 * - cognito-local lacks USER_SRP_AUTH; without a responder, its first step answers UserNotFoundException,
 *   as Cognito does for an unknown name.
 */
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

export type Fault =
  | { kind: "error"; status: number; type: string; message?: string }
  | { kind: "drop" }
  | { kind: "delay"; ms: number };

export type Interceptor = (
  body: any,
  forward: (body: any) => Promise<{ status: number; body: any }>,
) => Promise<{ status: number; body: any } | undefined>;

export interface CognitoFront {
  endpoint: string;
  /** How many requests for `target` (e.g. "InitiateAuth") reached the front. */
  calls(target?: string): number;
  /** The bodies of the requests for `target`, oldest first. */
  requests(target: string): any[];
  resetCalls(): void;
  /** FAKE: the next `times` requests for `target` get `fault` instead of reaching cognito-local. */
  fakeFault(target: string, fault: Fault, times?: number): void;
  /** Drops every fault not yet served. */
  clearFaults(): void;
  /** Lets test support answer `target` (return undefined to forward as usual). */
  intercept(target: string, fn: Interceptor | undefined): void;
  /** The interceptor `target` has now, so another layer of test support can wrap it. */
  interceptor(target: string): Interceptor | undefined;
  /**
   * Sends `body` for `target` straight to cognito-local: no count, fault, interceptor or SECRET_HASH
   * check. For test support that has to ask the emulator something on the side (the SRP responder).
   */
  forward(target: string, body: any): Promise<{ status: number; body: any }>;
  /** Registers an app client secret so SECRET_HASH is enforced for it. */
  addClientSecret(clientId: string, secret: string): void;
  close(): Promise<void>;
}

const secretHashTargets: Record<string, (b: any) => string | undefined> = {
  InitiateAuth: (b) => b.AuthParameters?.USERNAME,
  AdminInitiateAuth: (b) => b.AuthParameters?.USERNAME,
  RespondToAuthChallenge: (b) => b.ChallengeResponses?.USERNAME,
  AdminRespondToAuthChallenge: (b) => b.ChallengeResponses?.USERNAME,
  SignUp: (b) => b.Username,
  ConfirmSignUp: (b) => b.Username,
  ForgotPassword: (b) => b.Username,
  ConfirmForgotPassword: (b) => b.Username,
  ResendConfirmationCode: (b) => b.Username,
};

function secretHashParam(target: string, body: any): string | undefined {
  if (target.endsWith("InitiateAuth")) return body.AuthParameters?.SECRET_HASH;
  if (target.endsWith("RespondToAuthChallenge")) return body.ChallengeResponses?.SECRET_HASH;
  return body.SecretHash;
}

/** Starts a front on a free loopback port that forwards to `upstream` (a cognito-local endpoint). */
export async function startCognitoFront(upstream: string): Promise<CognitoFront> {
  const counts = new Map<string, number>();
  const seen = new Map<string, any[]>();
  const faults = new Map<string, { fault: Fault; times: number }[]>();
  const interceptors = new Map<string, Interceptor>();
  const secrets = new Map<string, string>();

  const forward = async (target: string, body: any) => {
    const res = await fetch(upstream, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };

  const send = (res: ServerResponse, status: number, body: any) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.1",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const target =
      String(req.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    if (!target) {
      // Anything that is not an API call (JWKS, health) goes straight through; JWKS fetches are
      // counted (and can be faked) under the name "jwks".
      if ((req.url ?? "").endsWith("/.well-known/jwks.json")) {
        counts.set("jwks", (counts.get("jwks") ?? 0) + 1);
        const queued = faults.get("jwks");
        const fault = queued?.[0];
        if (fault) {
          if (--fault.times <= 0) queued.shift();
          if (fault.fault.kind === "drop") return void req.socket.destroy();
          if (fault.fault.kind === "error") return send(res, fault.fault.status, { message: "fake fault" });
        }
      }
      const r = await fetch(upstream + (req.url ?? "/"), { method: req.method });
      const text = await r.text();
      res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
      res.end(text);
      return;
    }
    const body = raw ? JSON.parse(raw) : {};
    counts.set(target, (counts.get(target) ?? 0) + 1);
    if (!seen.has(target)) seen.set(target, []);
    seen.get(target)!.push(body);

    const queue = faults.get(target);
    const next = queue?.[0];
    if (next) {
      if (--next.times <= 0) queue.shift();
      const f = next.fault;
      if (f.kind === "drop") {
        req.socket.destroy();
        return;
      }
      if (f.kind === "delay") await new Promise((r) => setTimeout(r, f.ms));
      else return send(res, f.status, { __type: f.type, message: f.message ?? "fake fault" });
    }

    const secret = secrets.get(body.ClientId);
    const usernameOf = secretHashTargets[target];
    if (secret && usernameOf && body.AuthFlow !== "REFRESH_TOKEN_AUTH") {
      const given = secretHashParam(target, body);
      if (!given) {
        return send(res, 400, {
          __type: "NotAuthorizedException",
          message: `Client ${body.ClientId} is configured for secret but secret was not received`,
        });
      }
      const expected = createHmac("sha256", secret)
        .update(`${usernameOf(body) ?? ""}${body.ClientId}`)
        .digest("base64");
      if (given !== expected) {
        return send(res, 400, {
          __type: "NotAuthorizedException",
          message: `Unable to verify secret hash for client ${body.ClientId}`,
        });
      }
    }
    if (secret && body.AuthFlow === "REFRESH_TOKEN_AUTH" && !body.AuthParameters?.SECRET_HASH) {
      return send(res, 400, {
        __type: "NotAuthorizedException",
        message: `Client ${body.ClientId} is configured for secret but secret was not received`,
      });
    }

    const interceptor = interceptors.get(target);
    if (interceptor) {
      const answer = await interceptor(body, (b) => forward(target, b));
      if (answer) return send(res, answer.status, answer.body);
    }
    const answer = await forward(target, body);
    // cognito-local has no USER_SRP_AUTH. Without the SRP responder in front, the first SRP step is
    // answered as Cognito answers it for a name nobody has (the client's secret check asks exactly that).
    if (target === "InitiateAuth" && body.AuthFlow === "USER_SRP_AUTH" && answer.status === 500)
      return send(res, 400, { __type: "UserNotFoundException", message: "User does not exist." });
    send(res, answer.status, answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, { __type: "InternalErrorException", message: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls: (target) =>
      target === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(target) ?? 0),
    requests: (target) => seen.get(target) ?? [],
    resetCalls() {
      counts.clear();
      seen.clear();
    },
    fakeFault(target, fault, times = 1) {
      if (!faults.has(target)) faults.set(target, []);
      faults.get(target)!.push({ fault, times });
    },
    clearFaults() {
      faults.clear();
    },
    intercept(target, fn) {
      if (fn) interceptors.set(target, fn);
      else interceptors.delete(target);
    },
    interceptor: (target) => interceptors.get(target),
    forward,
    addClientSecret(clientId, secret) {
      secrets.set(clientId, secret);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
