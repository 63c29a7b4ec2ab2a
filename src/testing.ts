/**
 * @module
 * `@warrant/cognito/testing`: signed-in sessions for an application's own tests, without Cognito.
 * `createSession(warrant, user)` writes a real session record into the warrant's store, with test tokens
 * (JWT-shaped, unsigned, expiring with the session so no refresh is ever due), and hands back the cookie a
 * test request carries. `warrant.protect` and `warrant.getSession` then see that user, typed as the
 * warrant's users are.
 *
 * What it is not: the test tokens are not signed, so `verifyToken` and `bearer` refuse them (as they must);
 * the account pages that call Cognito with the user's tokens (profile, password change) fail with them;
 * logging out tries to revoke the test refresh token at Cognito (best effort: the session ends locally
 * whatever Cognito says). Never import this module in production code: it signs anyone in.
 *
 * @example
 * ```ts
 * import { createSession } from "@warrant/cognito/testing";
 * const warrant = createWarrant({ userPoolId: "eu-west-1_Test", clientId: "test", secret: "x".repeat(32) });
 * const app = warrant.protect((request, { user }) => new Response(`Hello ${user.first_name}`));
 * const { cookie } = await createSession(warrant, { username: "ada", first_name: "Ada" });
 * const response = await app(new Request("http://localhost/", { headers: { cookie } }));
 * // await response.text() === "Hello Ada"
 * ```
 */
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import type { Tokens } from "./cognito/auth.ts";
import type { Session, SessionUser } from "./sessions/store.ts";
import type { UserOf } from "./users/types.ts";
import type { Warrant } from "./warrant.ts";

/** The user of a test session: a Cognito username, and any fields of the warrant's user type. */
export type TestUser<U> = { username: string } & Partial<Omit<U, "username">>;

/** Options of {@link createSession}. */
export interface TestSessionOptions {
  /**
   * The site the test requests go to: an https URL gives the `__Host-` cookie a browser would get there.
   * @default "http://localhost/"
   */
  url?: string;
  /** Claims added to the test ID and access tokens (e.g. `{ "custom:tenant": "t1" }`). @default {} */
  claims?: Record<string, unknown>;
}

/** A signed-in test session, from {@link createSession}. */
export interface TestSession<U> {
  /** The `Cookie` request header value (`name=token`) that carries this session. */
  readonly cookie: string;
  /** The `Set-Cookie` value a login would have answered with. */
  readonly setCookie: string;
  /** The session as `getSession` returns it. */
  readonly session: Session<U>;
  /** The user, as `protect` hands it to a handler. */
  readonly user: U;
  /** The test tokens in the session (unsigned; `verifyToken` refuses them). */
  readonly tokens: Tokens;
  /** A `Request` to `input` (resolved against `options.url`) that carries the session cookie. */
  request(input: string | URL, init?: RequestInit): Request;
}

const utf8 = new TextEncoder();
const part = (value: unknown) => encodeBase64urlNoPadding(utf8.encode(JSON.stringify(value)));

/** A JWT-shaped test token: readable claims, no valid signature (`alg: "none"`, which nothing accepts). */
function testToken(claims: Record<string, unknown>): string {
  return `${part({ alg: "none", typ: "JWT", kid: "warrant-testing" })}.${part(claims)}.${part("test")}`;
}

/**
 * Signs `user` in on `warrant` for a test: a session in the warrant's store, with test tokens, and the
 * cookie that carries it. `sub` defaults to the username, `groups` to none.
 *
 * @example
 * ```ts
 * const staff = await createSession(warrant, { username: "root", groups: ["admin"] });
 * const response = await warrant.handler(staff.request("/accounts/admin/users", { headers: { accept: "application/json" } }));
 * ```
 */
export async function createSession<W extends Warrant<any, any>>(
  warrant: W,
  user: TestUser<UserOf<W>>,
  options: TestSessionOptions = {},
): Promise<TestSession<UserOf<W>>> {
  const { config } = warrant;
  const base = new URL(options.url ?? "http://localhost/");
  const fields = user as Record<string, unknown> & { username: string };
  if (typeof fields.username !== "string" || fields.username.length === 0) {
    throw new TypeError("createSession: user.username must be a non-empty string");
  }
  const now = config.now();
  // The access token lives as long as the session can, so the session is never due for a refresh.
  const expiresAt = now + config.session.maxAge * 1000;
  const groups = Array.isArray(fields.groups) ? (fields.groups as string[]) : [];
  const sessionUser: SessionUser = { ...fields, sub: String(fields.sub ?? fields.username), groups };
  const common = {
    sub: sessionUser.sub,
    iss: config.issuer,
    iat: Math.floor(now / 1000),
    exp: Math.floor(expiresAt / 1000),
    "cognito:groups": groups,
    ...options.claims,
  };
  const tokens: Tokens = {
    idToken: testToken({
      ...common,
      aud: config.clientId,
      token_use: "id",
      "cognito:username": fields.username,
    }),
    accessToken: testToken({
      ...common,
      client_id: config.clientId,
      token_use: "access",
      username: fields.username,
    }),
    refreshToken: `warrant-test-refresh.${encodeBase64urlNoPadding(crypto.getRandomValues(new Uint8Array(16)))}`,
    expiresAt,
  };
  const created = await warrant.createSession({ user: sessionUser, tokens }, new Request(base));
  const cookie = created.cookie.slice(0, created.cookie.indexOf(";"));
  return {
    cookie,
    setCookie: created.cookie,
    session: created.session,
    user: created.session.user,
    tokens,
    request(input, init = {}) {
      const headers = new Headers(init.headers);
      const existing = headers.get("cookie");
      headers.set("cookie", existing ? `${existing}; ${cookie}` : cookie);
      return new Request(new URL(input, base), { ...init, headers });
    },
  };
}
