/**
 * @module
 * A loopback front for cognito-local's managed login (`/oauth2/authorize`, `/oauth2/token`), standing where
 * Cognito's managed-login domain would. What cognito-local really does passes through untouched: its login
 * form, its S256 PKCE check, its single-use codes, its refresh grant. What it lacks is added here, each part
 * a FAKE of what real Cognito does, and the tests that rely on one say so:
 *
 * - FAKE nonce echo: Cognito copies the authorize request's `nonce` into the ID token; cognito-local drops
 *   it. The front remembers it by state, then by code, and signs the ID token again with cognito-local's own
 *   key (the one its JWKS publishes), nonce added. It also adds the `identities` claim for users that have an
 *   `identities` attribute (Cognito's federated users carry both).
 * - FAKE client-secret check at the token and revocation endpoints (HTTP Basic), for the clients it is told.
 * - FAKE `/oauth2/revoke` (through cognito-local's RevokeToken) and `/logout` (checks `logout_uri` against the
 *   client's sign-out URLs, clears the front's cookie, redirects).
 * - FAKE session cookie: after a password sign-in on the form, the front sets its own cookie; while it is
 *   there, `/oauth2/authorize` signs the same person in again without the form, as Cognito's cookie does.
 * - FAKE `identity_provider` / `idp_identifier` routing: a provider the test registers either signs a pool
 *   user in at once (a federated provider where the person is already signed in), or fails as a broken
 *   provider does (Cognito then sends the browser back with `error`).
 * - FAKE refresh-token rotation for the clients it is told: each refresh answers with a new refresh token
 *   and the one used stops working.
 * - `tamper(fn)` changes the ID token's claims before it is signed again (hostile tests: another nonce, another
 *   audience); `fakeFault(path, …)` answers a 5xx or drops the connection.
 */
import { createPrivateKey, createSign, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";

const keyFile = fileURLToPath(
  new URL("../../node_modules/cognito-local/lib/keys/cognitoLocal.private.json", import.meta.url),
);
const privateKey = createPrivateKey({ key: JSON.parse(readFileSync(keyFile, "utf8")).jwk, format: "jwk" });

/** The FAKE cookie that stands for Cognito's own managed-login session. */
export const frontCookie = "cognito";

export type FrontFault = { kind: "error"; status: number } | { kind: "drop" };

/** What a FAKE identity provider does when the authorize request names it. */
export type FakeProvider =
  | { kind: "signs-in"; username: string; password: string }
  | { kind: "fails"; error: string; description: string };

export interface ManagedLoginFront {
  /** The managed-login domain to configure (`managedLogin({ domain })`). */
  url: string;
  /** How many requests reached `path` (e.g. "/oauth2/token"). */
  calls(path: string): number;
  /** The query (GET) or form (POST) of each request to `path`, with its Authorization header. */
  requests(path: string): { params: Record<string, string>; authorization?: string }[];
  /** FAKE: requires HTTP Basic with this secret at /oauth2/token and /oauth2/revoke for the client. */
  addClientSecret(clientId: string, secret: string): void;
  /** FAKE: refresh-token rotation for the client. */
  rotateRefreshTokens(clientId: string): void;
  /** FAKE: what `identity_provider=<name>` (or `idp_identifier=<name>`) does. */
  addProvider(name: string, provider: FakeProvider): void;
  /** FAKE: nonce echo on (the default; real Cognito) or off (as cognito-local alone). */
  echoNonce(on: boolean): void;
  /** Changes the ID token's claims of the next code exchanges (undefined: stop). */
  tamper(fn: ((claims: Record<string, unknown>) => void) | undefined): void;
  /** FAKE: the next `times` requests to `path` fail. */
  fakeFault(path: string, fault: FrontFault, times?: number): void;
  /** Drops every fault not yet served. */
  clearFaults(): void;
  close(): Promise<void>;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

function decode(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

function sign(claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid: "CognitoLocal" }));
  const body = b64url(JSON.stringify(claims));
  const signature = createSign("RSA-SHA256").update(`${head}.${body}`).sign(privateKey).toString("base64url");
  return `${head}.${body}.${signature}`;
}

const readCookie = (req: IncomingMessage, name: string) =>
  (req.headers.cookie ?? "")
    .split(";")
    .map((p) => p.trim().split("="))
    .find(([k]) => k === name)?.[1];

/** Starts the front for one pool of a cognito-local at `upstream` on a free loopback port. */
export async function startManagedLoginFront(input: {
  upstream: string;
  userPoolId: string;
}): Promise<ManagedLoginFront> {
  const { upstream, userPoolId } = input;
  const counts = new Map<string, number>();
  const seen = new Map<string, { params: Record<string, string>; authorization?: string }[]>();
  const secrets = new Map<string, string>();
  const rotating = new Set<string>();
  const providers = new Map<string, FakeProvider>();
  const faults = new Map<string, { fault: FrontFault; times: number }[]>();
  const nonceOfState = new Map<string, string>();
  const nonceOfCode = new Map<string, string>();
  const sessions = new Map<string, { username: string; password: string }>();
  const aliases = new Map<string, string>();
  const dead = new Set<string>();
  let echo = true;
  let tamper: ((claims: Record<string, unknown>) => void) | undefined;

  const api = async (target: string, body: unknown) => {
    const res = await fetch(upstream, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": `AWSCognitoIdentityProviderService.${target}`,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as any };
  };

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "content-type": typeof body === "string" ? "text/html; charset=utf-8" : "application/json",
      ...headers,
    });
    res.end(text);
  };
  const relay = async (res: ServerResponse, r: Response, headers: Record<string, string> = {}) => {
    const location = r.headers.get("location");
    send(res, r.status, await r.text(), {
      "content-type": r.headers.get("content-type") ?? "text/html",
      ...(location ? { location } : {}),
      ...headers,
    });
  };

  /** Signs a person in at cognito-local's form with the authorize parameters; its 302 (with the code). */
  const formLogin = async (params: Record<string, string>, username: string, password: string) => {
    const r = await fetch(`${upstream}/oauth2/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...params, username, password }),
    });
    const location = r.headers.get("location");
    if (r.status === 302 && location) {
      const code = new URL(location).searchParams.get("code");
      const nonce = nonceOfState.get(params.state ?? "");
      if (code && nonce) nonceOfCode.set(code, nonce);
    }
    return r;
  };
  const newSession = (username: string, password: string) => {
    const id = randomBytes(16).toString("hex");
    sessions.set(id, { username, password });
    return `${frontCookie}=${id}; Path=/; HttpOnly; SameSite=Lax`;
  };

  const basicOk = (clientId: string, authorization: string | undefined) => {
    const secret = secrets.get(clientId);
    if (!secret) return true;
    return authorization === `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
  };

  /** The ID token as real Cognito would sign it: with the nonce and the identities claim. */
  const resign = async (tokens: any, nonce: string | undefined, tampered: boolean) => {
    const claims = decode(tokens.id_token);
    if (echo && nonce) claims.nonce = nonce;
    const user = await api("GetUser", { AccessToken: tokens.access_token });
    const identities = (user.body.UserAttributes ?? []).find((a: any) => a.Name === "identities")?.Value;
    if (identities) claims.identities = JSON.parse(identities);
    if (tampered) tamper?.(claims);
    tokens.id_token = sign(claims);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://front.invalid");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const params = Object.fromEntries(req.method === "GET" ? url.searchParams : new URLSearchParams(raw));
    const path = url.pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (!seen.has(path)) seen.set(path, []);
    seen.get(path)!.push({
      params,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    const queued = faults.get(path)?.[0];
    if (queued) {
      if (--queued.times <= 0) faults.get(path)!.shift();
      if (queued.fault.kind === "drop") return void req.socket.destroy();
      return send(res, queued.fault.status, { error: "fake fault" });
    }

    if (path === "/oauth2/authorize" && req.method === "GET") {
      if (params.state && params.nonce) nonceOfState.set(params.state, params.nonce);
      const { identity_provider, idp_identifier, ...cognito } = params;
      const named = identity_provider ?? idp_identifier;
      if (named && named !== "COGNITO") {
        const provider = providers.get(named);
        if (!provider)
          return send(res, 400, { error: "invalid_request", error_description: "unknown provider" });
        if (provider.kind === "fails") {
          const back = new URL(params.redirect_uri ?? "");
          back.searchParams.set("error", provider.error);
          back.searchParams.set("error_description", provider.description);
          if (params.state) back.searchParams.set("state", params.state);
          return send(res, 302, "", { location: back.toString() });
        }
        const r = await formLogin(cognito, provider.username, provider.password);
        return relay(res, r, { "set-cookie": newSession(provider.username, provider.password) });
      }
      const session = sessions.get(readCookie(req, frontCookie) ?? "");
      if (session) return relay(res, await formLogin(cognito, session.username, session.password));
      return relay(res, await fetch(`${upstream}/oauth2/authorize?${new URLSearchParams(cognito)}`));
    }

    if (path === "/oauth2/authorize" && req.method === "POST") {
      const { username = "", password = "", ...rest } = params;
      const r = await formLogin(rest, username, password);
      const signedIn = r.status === 302;
      return relay(res, r, signedIn ? { "set-cookie": newSession(username, password) } : {});
    }

    if (path === "/oauth2/token" && req.method === "POST") {
      const clientId = params.client_id ?? "";
      if (!basicOk(clientId, req.headers.authorization)) return send(res, 400, { error: "invalid_client" });
      if (params.grant_type === "refresh_token") {
        const given = params.refresh_token ?? "";
        if (dead.has(given)) return send(res, 400, { error: "invalid_grant" });
        const real = aliases.get(given) ?? given;
        const r = await fetch(`${upstream}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...params, refresh_token: real }),
        });
        const body = (await r.json()) as any;
        if (r.status === 200) {
          await resign(body, undefined, false);
          if (rotating.has(clientId)) {
            const next = `rotated-${randomBytes(24).toString("base64url")}`;
            aliases.set(next, real);
            dead.add(given);
            body.refresh_token = next;
          }
        }
        return send(res, r.status, body);
      }
      const r = await fetch(`${upstream}/oauth2/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: raw,
      });
      const body = (await r.json()) as any;
      if (r.status === 200) await resign(body, nonceOfCode.get(params.code ?? ""), true);
      return send(res, r.status, body);
    }

    if (path === "/oauth2/revoke" && req.method === "POST") {
      const clientId = params.client_id ?? "";
      if (!basicOk(clientId, req.headers.authorization)) return send(res, 400, { error: "invalid_client" });
      const given = params.token ?? "";
      dead.add(given);
      const answer = await api("RevokeToken", { Token: aliases.get(given) ?? given, ClientId: clientId });
      // Cognito answers 200 for a token it does not know, too (RFC 7009).
      return send(res, answer.status === 200 || answer.status === 400 ? 200 : 500, "");
    }

    if (path === "/logout" && req.method === "GET") {
      const client = await api("DescribeUserPoolClient", {
        UserPoolId: userPoolId,
        ClientId: params.client_id,
      });
      const allowed: string[] = client.body.UserPoolClient?.LogoutURLs ?? [];
      if (client.status !== 200 || !allowed.includes(params.logout_uri ?? "")) {
        return send(res, 400, "<!doctype html><title>Error</title><p>Invalid logout_uri</p>");
      }
      const id = readCookie(req, frontCookie);
      if (id) sessions.delete(id);
      return send(res, 302, "", {
        location: params.logout_uri!,
        "set-cookie": `${frontCookie}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`,
      });
    }
    return send(res, 404, { error: "not found" });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: (path) => counts.get(path) ?? 0,
    requests: (path) => seen.get(path) ?? [],
    addClientSecret: (clientId, secret) => void secrets.set(clientId, secret),
    rotateRefreshTokens: (clientId) => void rotating.add(clientId),
    addProvider: (name, provider) => void providers.set(name, provider),
    echoNonce(on) {
      echo = on;
    },
    tamper(fn) {
      tamper = fn;
    },
    fakeFault(path, fault, times = 1) {
      if (!faults.has(path)) faults.set(path, []);
      faults.get(path)!.push({ fault, times });
    },
    clearFaults: () => faults.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
