/**
 * Managed login (OAuth 2.0 code + PKCE) against cognito-local's /oauth2/authorize and /oauth2/token, through
 * the managed-login front (test/support/managed-login-front.ts). The browser side is a cookie-keeping
 * client; test/e2e/managed-login.test.ts drives the same round trip in Chromium.
 *
 * How real Cognito differs, where a test leans on the front: real Cognito echoes the `nonce` into the ID
 * token (cognito-local drops it: the front's FAKE signs it again with the emulator's key, nonce added),
 * checks the client secret at /oauth2/token (FAKE check), serves /oauth2/revoke and /logout (FAKE), routes
 * `identity_provider` to a federated provider (FAKE provider), names federated users `<Provider>_<id>`
 * (cognito-local makes only email usernames, so the FAKE provider signs an email user in), and rotates
 * refresh tokens when the app client asks for it (FAKE rotation).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:net";
import { after, before, describe, it } from "node:test";
import { CreateUserPoolClientCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage, type Storage } from "unstorage";
import { managedLogin } from "../../src/managed-login/mod.ts";
import type { WarrantOptions } from "../../src/mod.ts";
import { createKeyring } from "../../src/sessions/crypto.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { freePort } from "../support/cognito-local.ts";
import { type ManagedLoginFront, startManagedLoginFront } from "../support/managed-login-front.ts";
import {
  createEnv,
  dump,
  type Env,
  email,
  fakeClock,
  JWT,
  nodeStores,
  PASSWORD,
  SECRET,
  warrantFor,
} from "../support/setup.ts";

const origin = "http://localhost";
const callback = `${origin}/accounts/oauth2/callback`;
const signedOut = `${origin}/accounts/login`;

describe("managed login", () => {
  let env: Env;
  let front: ManagedLoginFront;
  let clientId: string;
  let secretClientId: string;
  let clientSecret: string;
  let name: string;
  let username: string;

  before(async () => {
    env = await createEnv();
    front = await startManagedLoginFront({ upstream: env.pool.endpoint, userPoolId: env.pool.userPoolId });
    const settings = {
      UserPoolId: env.pool.userPoolId,
      CallbackURLs: [callback],
      LogoutURLs: [signedOut],
      AllowedOAuthFlows: ["code" as const],
      AllowedOAuthScopes: ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ["COGNITO"],
      ExplicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH" as const, "ALLOW_USER_PASSWORD_AUTH" as const],
    };
    const plain = await env.pool.admin.send(
      new CreateUserPoolClientCommand({ ...settings, ClientName: "web" }),
    );
    clientId = plain.UserPoolClient!.ClientId!;
    const secret = await env.pool.admin.send(
      new CreateUserPoolClientCommand({ ...settings, ClientName: "web-secret", GenerateSecret: true }),
    );
    secretClientId = secret.UserPoolClient!.ClientId!;
    clientSecret = secret.UserPoolClient!.ClientSecret!;
    front.addClientSecret(secretClientId, clientSecret);
    name = email("hosted");
    username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Hedy", family_name: "Lamarr" },
    });
  });
  after(async () => {
    await front?.close();
    await env?.close();
  });

  const warrant = (
    options: Partial<WarrantOptions> = {},
    extension: Partial<Parameters<typeof managedLogin>[0]> = {},
  ) =>
    warrantFor(env, {
      clientId,
      // The front stands between the library and cognito-local, so the tokens' issuer is cognito-local's URL.
      issuer: `${env.pool.endpoint}/${env.pool.userPoolId}`,
      extensions: [managedLogin({ domain: front.url, ...extension })],
      ...options,
    });

  /** The browser at Cognito: the authorize URL, then the form filled in; the URL Cognito sends it back to. */
  async function atCognito(authorize: string, login = name, password = PASSWORD): Promise<URL> {
    const url = new URL(authorize);
    const page = await fetch(url, { redirect: "manual" });
    if (page.status === 302) return new URL(page.headers.get("location")!);
    const form = await page.text();
    assert.match(form, /<form method="POST" action="\/oauth2\/authorize">/);
    const hidden = Object.fromEntries(
      [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const posted = await fetch(`${front.url}/oauth2/authorize`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...hidden, username: login, password }),
    });
    assert.equal(posted.status, 302, "cognito-local signed the person in");
    return new URL(posted.headers.get("location")!);
  }

  /** Start → Cognito → the callback URL, not yet followed. */
  async function toCallback(client: Client, query = ""): Promise<URL> {
    const start = await client.get(`/accounts/oauth2/start${query}`);
    assert.equal(start.status, 303);
    return atCognito(start.headers.get("location")!);
  }
  const follow = (client: Client, url: URL) => client.get(url.pathname + url.search);

  it("starts with state, S256 PKCE and a nonce kept server-side, bound to the browser by a cookie", async () => {
    const storage = createStorage();
    const client = new Client(warrant({ storage }).handler);
    const start = await client.get("/accounts/oauth2/start");
    assert.equal(start.status, 303);
    const location = new URL(start.headers.get("location")!);
    assert.equal(`${location.origin}${location.pathname}`, `${front.url}/oauth2/authorize`);
    const q = location.searchParams;
    assert.equal(q.get("response_type"), "code");
    assert.equal(q.get("client_id"), clientId);
    assert.equal(q.get("redirect_uri"), callback);
    assert.equal(q.get("scope"), "openid email profile aws.cognito.signin.user.admin");
    assert.equal(q.get("code_challenge_method"), "S256");
    assert.match(q.get("code_challenge")!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.get("state")!, /^[A-Za-z0-9_-]{43}$/);
    assert.match(q.get("nonce")!, /^[A-Za-z0-9_-]{43}$/);
    const cookie = start.headers.getSetCookie().find((c) => c.startsWith("warrant_oauth="))!;
    assert.match(cookie, /^warrant_oauth=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    // Sealed at rest: neither the state, nor the nonce, nor the binding is readable in the store.
    const raw = JSON.stringify(await dump(storage));
    assert.match(raw, /oauth-requests:[0-9a-f]{64}/);
    for (const secret of [q.get("state")!, q.get("nonce")!, client.jar.get("warrant_oauth")!]) {
      assert.ok(!raw.includes(secret));
    }
  });

  it("signs in: code exchanged with the verifier, ID token checked, user mirrored, a new session", async () => {
    const storage = createStorage();
    const client = new Client(warrant({ storage }).handler);
    const before = await client.get("/accounts/login");
    const csrfCookie = client.jar.get("warrant_csrf");
    assert.equal(before.status, 200);
    const tokenCalls = front.calls("/oauth2/token");
    const back = await toCallback(client, `?next=${encodeURIComponent("/orders?id=7")}`);
    assert.equal(`${back.origin}${back.pathname}`, callback);
    const done = await follow(client, back);
    assert.equal(done.status, 303);
    assert.equal(done.headers.get("location"), "/orders?id=7");
    assert.ok(done.headers.getSetCookie().some((c) => /^warrant_oauth=; Path=\/; Max-Age=0/.test(c)));
    assert.equal(front.calls("/oauth2/token"), tokenCalls + 1);
    const exchange = front.requests("/oauth2/token").at(-1)!;
    assert.equal(exchange.params.grant_type, "authorization_code");
    assert.equal(exchange.params.client_id, clientId);
    assert.equal(exchange.params.redirect_uri, callback);
    assert.equal(exchange.authorization, undefined, "no secret, no Basic");
    const authorize = front
      .requests("/oauth2/authorize")
      .find((r) => r.params.state === back.searchParams.get("state"))!;
    assert.equal(
      createHash("sha256").update(exchange.params.code_verifier!).digest("base64url"),
      authorize.params.code_challenge,
    );
    const session = await client.get("/accounts/session", { accept: "application/json" });
    assert.equal(session.status, 200);
    const { user } = (await session.json()) as { user: Record<string, unknown> };
    assert.equal(user.username, username);
    assert.equal(user.first_name, "Hedy");
    assert.equal(user.email, name);
    // A local record keyed like any other login's, and a session that says where it came from.
    const raw = await dump(storage);
    assert.ok(raw[`users:${username}`]);
    const record = Object.entries(raw).find(([k]) => k.startsWith("sessions:"))!;
    // unstorage's memory driver keeps no TTL: the record is inside the store's expiry envelope.
    const parsed = JSON.parse(record[1]);
    assert.equal((parsed["~v"] ?? parsed).via, "managed-login");
    assert.ok(!JWT.test(JSON.stringify(raw)), "tokens sealed at rest");
    assert.equal(client.jar.get("warrant_csrf"), csrfCookie);
    // Profile works with the managed-login tokens (GetUser with the access token's admin scope).
    const profile = await client.get("/accounts/profile");
    assert.equal(profile.status, 200);
    assert.match(await profile.text(), /Lamarr/);
  });

  it("sends the client secret as HTTP Basic and the client id in the body (FAKE secret check)", async () => {
    const client = new Client(warrant({ clientId: secretClientId, clientSecret }).handler);
    const done = await follow(client, await toCallback(client));
    assert.equal(done.status, 303);
    const exchange = front.requests("/oauth2/token").at(-1)!;
    assert.equal(exchange.params.client_id, secretClientId);
    assert.equal(exchange.authorization, `Basic ${btoa(`${secretClientId}:${clientSecret}`)}`);
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
  });

  it("a new session id at login: the session the browser had before is gone (S5)", async () => {
    const client = new Client(warrant().handler);
    await client.login(name, PASSWORD);
    const old = client.jar.get("warrant")!;
    await follow(client, await toCallback(client));
    assert.notEqual(client.jar.get("warrant"), old);
    const replay = await client.get("/accounts/session", {
      accept: "application/json",
      cookie: `warrant=${old}`,
    });
    assert.equal(replay.status, 401);
  });

  it("refreshes at the token endpoint, with rotation (FAKE rotation), and never through the SDK", async () => {
    const clock = fakeClock();
    front.rotateRefreshTokens(secretClientId);
    const client = new Client(warrant({ clientId: secretClientId, clientSecret, now: clock.now }).handler);
    await follow(client, await toCallback(client));
    const initiateAuth = env.front.calls("InitiateAuth");
    for (let round = 1; round <= 2; round++) {
      const before = front.requests("/oauth2/token").length;
      clock.advance(2 * 3600_000);
      const session = await client.get("/accounts/session", { accept: "application/json" });
      assert.equal(session.status, 200, `round ${round}`);
      const calls = front.requests("/oauth2/token").slice(before);
      assert.equal(calls.length, 1);
      assert.equal(calls[0]!.params.grant_type, "refresh_token");
      assert.equal(calls[0]!.authorization, `Basic ${btoa(`${secretClientId}:${clientSecret}`)}`);
      // The second round uses the refresh token the first one got: the used one no longer works.
      if (round === 2) assert.match(calls[0]!.params.refresh_token!, /^rotated-/);
    }
    assert.equal(env.front.calls("InitiateAuth"), initiateAuth);
  });

  it("a refresh token Cognito refuses ends the session; an outage keeps it (503 + Retry-After)", async () => {
    const clock = fakeClock();
    const client = new Client(warrant({ now: clock.now }).handler);
    await follow(client, await toCallback(client));
    clock.advance(2 * 3600_000);
    front.fakeFault("/oauth2/token", { kind: "error", status: 503 });
    const outage = await client.get("/accounts/session", { accept: "application/json" });
    assert.equal(outage.status, 503);
    assert.equal(outage.headers.get("retry-after"), "5");
    assert.ok(client.jar.has("warrant"));
    // Deno's fetch sends a request again once when a reused connection drops: drop a few, then stop.
    front.fakeFault("/oauth2/token", { kind: "drop" }, 3);
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 503);
    front.clearFaults();
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 200);
    // Revoked behind the library's back: the next refresh is refused and the session ends.
    clock.advance(2 * 3600_000);
    const refresh = front.requests("/oauth2/token").at(-1)!.params.refresh_token!;
    await fetch(`${front.url}/oauth2/revoke`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refresh, client_id: clientId }),
    });
    assert.equal((await client.get("/accounts/session", { accept: "application/json" })).status, 401);
  });

  it("signs out of everything: session ended, refresh token revoked, then Cognito's /logout (FAKE)", async () => {
    const client = new Client(warrant().handler);
    await follow(client, await toCallback(client));
    const cookie = client.jar.get("warrant")!;
    const revokes = front.calls("/oauth2/revoke");
    const profile = await client.get("/accounts/profile");
    const out = await client.form("/accounts/logout", { csrf: csrfOf(await profile.text()) });
    // A page that moves on by itself: a 303 after a form post would be held to the CSP's form-action 'self'.
    assert.equal(out.status, 200);
    const refresh = /^0; url=(.+)$/.exec(out.headers.get("refresh") ?? "");
    assert.ok(refresh, "Refresh header");
    const location = new URL(refresh[1]!);
    assert.match(await out.text(), new RegExp(`<a class="button" href="${front.url}/logout\\?client_id=`));
    assert.equal(`${location.origin}${location.pathname}`, `${front.url}/logout`);
    assert.equal(location.searchParams.get("client_id"), clientId);
    assert.equal(location.searchParams.get("logout_uri"), signedOut);
    assert.equal(front.calls("/oauth2/revoke"), revokes + 1);
    assert.ok(!client.jar.has("warrant"));
    const gone = await client.get("/accounts/session", {
      accept: "application/json",
      cookie: `warrant=${cookie}`,
    });
    assert.equal(gone.status, 401);
    // Cognito (the front) accepts the logout_uri as a registered sign-out URL and sends the browser back.
    const cognito = await fetch(location, { redirect: "manual" });
    assert.equal(cognito.status, 302);
    assert.equal(cognito.headers.get("location"), signedOut);
    // The refresh token no longer works at the token endpoint.
    const revoked = front.requests("/oauth2/revoke").at(-1)!.params.token!;
    const again = await fetch(`${front.url}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: revoked, client_id: clientId }),
    });
    assert.equal(again.status, 400);
  });

  it("JSON sign-out names Cognito's /logout; a password session signs out to the login page as before", async () => {
    const w = warrant();
    const hosted = new Client(w.handler);
    await follow(hosted, await toCallback(hosted));
    const json = await hosted.json("/accounts/logout", {});
    const body = (await json.json()) as { ok: boolean; redirect?: string };
    assert.equal(body.ok, true);
    assert.match(body.redirect ?? "", new RegExp(`^${front.url}/logout\\?client_id=`));
    const local = new Client(w.handler);
    assert.equal((await local.login(name, PASSWORD)).status, 303);
    const page = await local.get("/accounts/profile");
    const out = await local.form("/accounts/logout", { csrf: csrfOf(await page.text()) });
    assert.equal(out.headers.get("location"), "/accounts/login");
  });

  it("the login page shows the provider buttons beside the form, or alone; every word from the text table", async () => {
    const providers = ["Google", { identifier: "example.com", label: "Example SSO" }, "SignInWithApple"];
    const w = warrant(
      { text: { "managedLogin.provider.SignInWithApple": "Sign in with Apple", "login.or": "or else" } },
      { providers },
    );
    const html = await (await new Client(w.handler).get("/accounts/login?next=%2Forders")).text();
    assert.match(
      html,
      /href="\/accounts\/oauth2\/start\?provider=Google&amp;next=%2Forders" data-provider="Google">Continue with Google</,
    );
    assert.match(html, /provider=example.com&amp;next=%2Forders" data-provider="example.com">Example SSO</);
    assert.match(html, />Sign in with Apple</);
    assert.match(html, /<p class="or">or else<\/p>/);
    assert.match(html, /name="password"/);
    const alone = warrant({}, { providers: ["Google"], passwordForm: false });
    const only = await (await new Client(alone.handler).get("/accounts/login")).text();
    assert.match(only, /Continue with Google/);
    assert.doesNotMatch(only, /name="password"|<form/);
    const generic = await (await new Client(warrant().handler).get("/accounts/login")).text();
    assert.match(generic, /href="\/accounts\/oauth2\/start">Sign in with single sign-on</);
  });

  it("routes straight to a provider (identity_provider / idp_identifier); an unlisted one is refused", async () => {
    const storage = createStorage();
    const client = new Client(
      warrant({ storage }, { providers: ["Google", { identifier: "example.com" }] }).handler,
    );
    const google = new URL(
      (await client.get("/accounts/oauth2/start?provider=Google")).headers.get("location")!,
    );
    assert.equal(google.searchParams.get("identity_provider"), "Google");
    const saml = new URL(
      (await client.get("/accounts/oauth2/start?provider=example.com")).headers.get("location")!,
    );
    assert.equal(saml.searchParams.get("idp_identifier"), "example.com");
    assert.equal(saml.searchParams.get("identity_provider"), null);
    const keys = (await storage.getKeys()).length;
    const unknown = await client.get("/accounts/oauth2/start?provider=Evil");
    assert.equal(unknown.status, 400);
    assert.equal((await storage.getKeys()).length, keys, "nothing stored for an unlisted provider");
  });

  it("a federated user (FAKE provider) gets a local record keyed by its Cognito username, identities kept", async () => {
    const fed = email("federated");
    const identities = [{ providerName: "Google", providerType: "Google", userId: "10987", primary: "true" }];
    const fedUsername = await env.pool.createUser({
      email: fed,
      password: PASSWORD,
      attributes: { given_name: "Grace", identities: JSON.stringify(identities) },
    });
    front.addProvider("Google", { kind: "signs-in", username: fed, password: PASSWORD });
    const storage = createStorage();
    const client = new Client(warrant({ storage }, { providers: ["Google"] }).handler);
    const start = await client.get("/accounts/oauth2/start?provider=Google");
    const back = await atCognito(start.headers.get("location")!);
    assert.equal((await follow(client, back)).status, 303);
    const local = (await storage.getItem(`users:${fedUsername}`)) as Record<string, unknown>;
    assert.deepEqual(local.identities, identities);
    assert.equal(local.first_name, "Grace");
    const { user } = (await (
      await client.get("/accounts/session", { accept: "application/json" })
    ).json()) as {
      user: Record<string, unknown>;
    };
    assert.deepEqual(user.identities, identities);
  });

  describe("hostile callbacks", () => {
    const refusedPage = async (res: Response) => {
      assert.equal(res.status, 400);
      const html = await res.text();
      assert.match(html, /<form method="post" action="\/accounts\/login"/, "the login page again");
      return html;
    };

    it("a wrong state is refused before Cognito is called", async () => {
      const client = new Client(warrant().handler);
      const back = await toCallback(client);
      const calls = front.calls("/oauth2/token");
      back.searchParams.set("state", "A".repeat(43));
      const html = await refusedPage(await follow(client, back));
      assert.match(html, /expired or was already used/);
      for (const bad of ["", "x", "../../etc", "%00", "A".repeat(5000)]) {
        const res = await client.get(`/accounts/oauth2/callback?code=x&state=${encodeURIComponent(bad)}`);
        assert.equal(res.status, 400);
      }
      assert.equal(front.calls("/oauth2/token"), calls);
    });

    it("a replayed state finds nothing: one exchange, one session", async () => {
      const client = new Client(warrant().handler);
      const back = await toCallback(client);
      assert.equal((await follow(client, back)).status, 303);
      const calls = front.calls("/oauth2/token");
      await refusedPage(await follow(client, back));
      // Two replays at once in one instance: neither reaches Cognito.
      const twice = await Promise.all([follow(client, back), follow(client, back)]);
      assert.deepEqual(
        twice.map((r) => r.status),
        [400, 400],
      );
      assert.equal(front.calls("/oauth2/token"), calls);
    });

    it("a code and state from another browser are refused, and spent", async () => {
      const w = warrant();
      const victim = new Client(w.handler);
      const back = await toCallback(victim);
      const calls = front.calls("/oauth2/token");
      const attacker = new Client(w.handler);
      await refusedPage(await follow(attacker, back));
      // With a binding cookie of its own too.
      await attacker.get("/accounts/oauth2/start");
      await refusedPage(await follow(attacker, back));
      assert.ok(!attacker.jar.has("warrant"));
      assert.equal(front.calls("/oauth2/token"), calls, "never redeemed");
      // The state is spent: seen in the wrong browser, it cannot be used by anyone.
      await refusedPage(await follow(victim, back));
    });

    it("a code without its verifier is worthless; a stored request without one is refused, not a 500", async () => {
      const client = new Client(warrant().handler);
      const back = await toCallback(client);
      const code = back.searchParams.get("code")!;
      for (const verifier of [undefined, "x".repeat(43)]) {
        const res = await fetch(`${front.url}/oauth2/token`, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            client_id: clientId,
            redirect_uri: callback,
            ...(verifier ? { code_verifier: verifier } : {}),
          }),
        });
        assert.equal(res.status, 400);
        assert.equal(
          ((await res.json()) as { error: string }).error,
          verifier ? "invalid_grant" : "invalid_request",
        );
      }
      // A request record sealed without its verifier (torn, or written by something else).
      const storage = createStorage();
      const torn = new Client(warrant({ storage }).handler);
      const start = new URL((await torn.get("/accounts/oauth2/start")).headers.get("location")!);
      const [key] = (await storage.getKeys()).filter((k) => k.startsWith("oauth-requests:"));
      const keyring = createKeyring([SECRET]);
      const record = {
        binding: torn.jar.get("warrant_oauth"),
        nonce: "n",
        redirectUri: callback,
        createdAt: Date.now(),
      };
      await storage.setItem(key!, await keyring.seal(JSON.stringify(record), key!));
      const calls = front.calls("/oauth2/token");
      await refusedPage(
        await torn.get(`/accounts/oauth2/callback?code=c&state=${start.searchParams.get("state")}`),
      );
      assert.equal(front.calls("/oauth2/token"), calls);
    });

    it("a provider's error is shown generically, never echoed (FAKE broken provider)", async () => {
      front.addProvider("Broken", {
        kind: "fails",
        error: "server_error",
        description: "<script>alert(1)</script> arn:aws:cognito-idp:secret",
      });
      const client = new Client(warrant({}, { providers: ["Broken"] }).handler);
      const start = await client.get("/accounts/oauth2/start?provider=Broken");
      const back = await atCognito(start.headers.get("location")!);
      assert.equal(back.searchParams.get("error"), "server_error");
      const calls = front.calls("/oauth2/token");
      const html = await refusedPage(await follow(client, back));
      assert.match(html, /Signing in did not complete/);
      assert.doesNotMatch(html, /script>alert|arn:aws|server_error/);
      assert.equal(front.calls("/oauth2/token"), calls);
      // Cancelled by the person (access_denied) without a code: the same answer.
      const cancelled = await toCallback(client);
      cancelled.searchParams.delete("code");
      cancelled.searchParams.set("error", "access_denied");
      await refusedPage(await follow(client, cancelled));
    });

    it("an ID token with another nonce, or none (cognito-local alone), is refused and its refresh token revoked", async () => {
      const client = new Client(warrant().handler);
      try {
        front.tamper((claims) => {
          claims.nonce = "another-nonce";
        });
        const revokes = front.calls("/oauth2/revoke");
        await refusedPage(await follow(client, await toCallback(client)));
        assert.equal(front.calls("/oauth2/revoke"), revokes + 1);
        front.tamper(undefined);
        front.echoNonce(false);
        await refusedPage(await follow(client, await toCallback(client)));
      } finally {
        front.tamper(undefined);
        front.echoNonce(true);
      }
      assert.ok(!client.jar.has("warrant"));
    });

    it("an ID token for another audience is refused", async () => {
      const client = new Client(warrant().handler);
      try {
        front.tamper((claims) => {
          claims.aud = secretClientId;
        });
        await refusedPage(await follow(client, await toCallback(client)));
        front.tamper((claims) => {
          claims.token_use = "access";
        });
        await refusedPage(await follow(client, await toCallback(client)));
      } finally {
        front.tamper(undefined);
      }
      assert.ok(!client.jar.has("warrant"));
    });

    it("an open next is dropped: the login lands on loginRedirect", async () => {
      for (const next of [
        "//evil.example",
        "https://evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
      ]) {
        const client = new Client(warrant().handler);
        const done = await follow(client, await toCallback(client, `?next=${encodeURIComponent(next)}`));
        assert.equal(done.status, 303);
        assert.equal(done.headers.get("location"), "/accounts/profile", next);
      }
    });
  });

  describe("token endpoint outages", () => {
    let hung: Server;
    let hungPort: number;
    const sockets = new Set<import("node:net").Socket>();
    before(async () => {
      // Accepts connections and never answers.
      hung = createServer((socket) => void sockets.add(socket));
      await new Promise<void>((r) => hung.listen(0, "127.0.0.1", () => r()));
      hungPort = (hung.address() as { port: number }).port;
    });
    after(
      () =>
        new Promise<void>((r) => {
          for (const socket of sockets) socket.destroy();
          hung.close(() => r());
        }),
    );

    it("a dropped exchange is 503 + Retry-After, and the same callback works once Cognito answers (FAKE drop)", async () => {
      const client = new Client(warrant().handler);
      const back = await toCallback(client);
      front.fakeFault("/oauth2/token", { kind: "drop" }, 3);
      const outage = await follow(client, back);
      front.clearFaults();
      assert.equal(outage.status, 503);
      assert.equal(outage.headers.get("retry-after"), "5");
      assert.ok(!client.jar.has("warrant"));
      assert.equal((await follow(client, back)).status, 303);
      assert.ok(client.jar.has("warrant"));
    });

    for (const kind of ["closed port", "hung listener"] as const) {
      it(`a ${kind} at the token endpoint is 503 + Retry-After within the deadline, never a refusal`, async () => {
        const port = kind === "closed port" ? await freePort() : hungPort;
        const client = new Client(warrant({}, { domain: `http://127.0.0.1:${port}`, timeout: 300 }).handler);
        const start = new URL((await client.get("/accounts/oauth2/start")).headers.get("location")!);
        const began = Date.now();
        const res = await client.get(
          `/accounts/oauth2/callback?code=abc&state=${start.searchParams.get("state")}`,
        );
        assert.equal(res.status, 503);
        assert.equal(res.headers.get("retry-after"), "5");
        assert.ok(Date.now() - began < 3000);
        assert.doesNotMatch(await res.text(), /127\.0\.0\.1|ECONNREFUSED|abort/i);
      });
    }
  });

  it("options are checked when the extension is made, naming the option", () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{}, /managedLogin options\.domain is required/],
      [{ domain: "http://auth.example.com" }, /https/],
      [{ domain: "not a domain" }, /domain must be a domain prefix, a host or a URL/],
      [{ domain: "myapp", scopes: ["email"] }, /options\.scopes must include "openid"/],
      [{ domain: "myapp", providers: ["Google", "Google"] }, /must not name a provider twice/],
      [{ domain: "myapp", providers: [{ label: "x" }] }, /providers\[0\]/],
      [{ domain: "myapp", redirectUri: "/relative" }, /redirectUri must be an absolute/],
      [{ domain: "myapp", colour: "blue" }, /colour is not a known option/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => managedLogin(options as never), message, JSON.stringify(options));
    }
    const prefix = warrantFor(env, { extensions: [managedLogin({ domain: "myapp" })] });
    assert.equal(prefix.config.extensions.length, 1);
  });

  it("a prefix domain becomes <prefix>.auth.<region>.amazoncognito.com; a custom domain is used as it is", async () => {
    for (const [domain, expected] of [
      ["myapp", "https://myapp.auth.local.amazoncognito.com/oauth2/authorize"],
      ["auth.example.com", "https://auth.example.com/oauth2/authorize"],
    ] as const) {
      const client = new Client(warrant({}, { domain }).handler);
      const location = new URL((await client.get("/accounts/oauth2/start")).headers.get("location")!);
      assert.equal(`${location.origin}${location.pathname}`, expected);
    }
  });

  it("two instances on one Redis: a login started on one finishes on the other; a callback raced to both signs in once", async () => {
    const redis = nodeStores()[2]!();
    try {
      const storage: Storage = redis.storage;
      const [a, b] = [warrant({ storage }), warrant({ storage })];
      const client = new Client(a.handler);
      const back = await toCallback(client);
      const other = new Client(b.handler);
      for (const [k, v] of client.jar) other.jar.set(k, v);
      assert.equal((await follow(other, back)).status, 303);
      assert.equal((await other.get("/accounts/session", { accept: "application/json" })).status, 200);
      // The same callback on both instances at once, five times over: storage has no atomic take, so both
      // may read the request; Cognito's single-use code (cognito-local's too) keeps it to one session.
      for (let round = 0; round < 5; round++) {
        const starter = new Client(a.handler);
        const url = await toCallback(starter);
        const twins = [starter, new Client(b.handler)];
        for (const [k, v] of starter.jar) twins[1]!.jar.set(k, v);
        const answers = await Promise.all(twins.map((c) => follow(c, url)));
        const statuses = answers.map((r) => r.status).sort();
        assert.deepEqual(statuses, [303, 400], `round ${round}`);
        assert.equal(twins.filter((c) => c.jar.has("warrant")).length, 1);
      }
    } finally {
      await redis.cleanup();
    }
  });
});
