/**
 * The account routes, in HTML and JSON, against cognito-local.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminGetUserCommand, SignUpCommand } from "@aws-sdk/client-cognito-identity-provider";
import { createStorage } from "unstorage";
import { Client, csrfOf } from "../support/browser-client.ts";
import { createEnv, dump, type Env, email, JWT, PASSWORD, warrantFor } from "../support/setup.ts";

describe("handler routes", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  const user = async (
    attributes: Record<string, string> = { given_name: "Ada", family_name: "Lovelace" },
  ) => {
    const name = email("web");
    const username = await env.pool.createUser({ email: name, password: PASSWORD, attributes });
    return { name, username };
  };

  it("GET /login serves an accessible form with a CSRF token and sets the pre-session cookie", async () => {
    const client = new Client(warrantFor(env).handler);
    const res = await client.get("/accounts/login");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<label for="username">/);
    assert.match(html, /autocomplete="username"/);
    assert.match(html, /autocomplete="current-password"/);
    assert.match(html, /name="csrf" value="[A-Za-z0-9_-]{43}"/);
    assert.ok(client.jar.has("warrant_csrf"));
  });

  it("logs in through the form: 303 to loginRedirect with a fresh session cookie", async () => {
    const { name } = await user();
    const client = new Client(warrantFor(env).handler);
    const res = await client.login(name, PASSWORD);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/accounts/profile");
    assert.match(client.jar.get("warrant") ?? "", /^[A-Za-z0-9_-]{43}$/);
  });

  it("logs in through JSON: 200 { user } and a cookie", async () => {
    const { name, username } = await user();
    const client = new Client(warrantFor(env).handler);
    const res = await client.json("/accounts/login", { username: name, password: PASSWORD });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { user: Record<string, unknown> };
    assert.equal(body.user.username, username);
    assert.equal(body.user.first_name, "Ada");
    assert.ok(client.jar.has("warrant"));
    const session = await client.get("/accounts/session", { accept: "application/json" });
    assert.equal(session.status, 200);
    assert.equal(((await session.json()) as { user: { username: string } }).user.username, username);
  });

  it("redirects to a safe next and ignores every unsafe one", async () => {
    const { name } = await user();
    const warrant = warrantFor(env);
    const safe = new Client(warrant.handler);
    assert.equal((await safe.login(name, PASSWORD, "/orders?id=7")).headers.get("location"), "/orders?id=7");
    const hostile = [
      "//evil.com",
      "/\\evil.com",
      "%2F%2Fevil.com",
      "/%2F%2Fevil.com",
      "\t//evil.com",
      "https:evil.com",
      "https://evil.com",
      "/%0d%0aSet-Cookie:x=y",
      "/\u0000/x",
      "javascript:alert(1)",
      "evil.com",
      "",
    ];
    for (const next of hostile) {
      const client = new Client(warrant.handler);
      const res = await client.json("/accounts/login", { username: name, password: PASSWORD, next });
      assert.equal(res.status, 200);
      const form = new Client(warrant.handler);
      const redirected = await form.login(name, PASSWORD, next);
      assert.equal(redirected.headers.get("location"), "/accounts/profile", JSON.stringify(next));
    }
  });

  it("answers every credential failure with one generic, byte-identical 401", async () => {
    const existing = await user();
    const unconfirmed = email("unconfirmed");
    await env.pool.admin.send(
      new SignUpCommand({
        ClientId: env.pool.clientId,
        Username: unconfirmed,
        Password: PASSWORD,
        UserAttributes: [{ Name: "email", Value: unconfirmed }],
      }),
    );
    const refusedStorage = createStorage();
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const csrf = csrfOf(await (await client.get("/accounts/login")).text());
    const attempts = [
      [existing.name, "Wrong-Password-1"],
      [email("unknown"), PASSWORD],
      [unconfirmed, PASSWORD],
    ];
    const bodies: string[] = [];
    for (const [username, password] of attempts) {
      const res = await client.form("/accounts/login", { csrf, username: username!, password: password! });
      assert.equal(res.status, 401);
      // The form keeps what was typed; apart from that the answers are the same, byte for byte.
      const body = await res.text();
      assert.ok(body.includes(`value="${username}"`), "the typed username is kept");
      bodies.push(body.replaceAll(`value="${username}"`, 'value="…"'));
    }
    assert.equal(bodies[0], bodies[1]);
    assert.equal(bodies[1], bodies[2]);
    assert.match(bodies[0]!, /Incorrect username or password\./);
    // A user Cognito knows but this site refuses (createUnknownUsers: false) gets the same answer.
    const strict = warrantFor(env, { createUnknownUsers: false, storage: refusedStorage });
    const other = await user();
    const jsonBodies = [];
    for (const [w, username, password] of [
      [strict, other.name, PASSWORD],
      [warrant, existing.name, "Wrong-Password-1"],
    ] as const) {
      const res = await new Client(w.handler).json("/accounts/login", { username, password });
      assert.equal(res.status, 401);
      jsonBodies.push(await res.text());
    }
    assert.equal(jsonBodies[0], jsonBodies[1]);
    assert.deepEqual(JSON.parse(jsonBodies[0]!), {
      error: "invalid_credentials",
      message: "Incorrect username or password.",
    });
  });

  it("rotates the session id at login and deletes the old record", async () => {
    const { name } = await user();
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const client = new Client(warrant.handler);
    await client.login(name, PASSWORD);
    const first = client.jar.get("warrant")!;
    await client.login(name, PASSWORD);
    const second = client.jar.get("warrant")!;
    assert.notEqual(first, second);
    assert.equal((await storage.getKeys("sessions")).length, 1);
    const replay = await new Client(warrant.handler).get("/accounts/session", {
      cookie: `warrant=${first}`,
      accept: "application/json",
    });
    assert.equal(replay.status, 401);
  });

  it("sends a challenge to /login/challenge with a pending cookie that is not a session", async () => {
    const { AdminCreateUserCommand } = await import("@aws-sdk/client-cognito-identity-provider");
    const name = email("newpass");
    await env.pool.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: env.pool.userPoolId,
        Username: name,
        TemporaryPassword: PASSWORD,
        MessageAction: "SUPPRESS",
        UserAttributes: [{ Name: "email", Value: name }],
      }),
    );
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    const res = await client.login(name, PASSWORD);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/accounts/login/challenge");
    assert.match(client.jar.get("warrant_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
    assert.equal(client.jar.has("warrant"), false);
    // The pending cookie opens nothing (S6).
    const profile = await client.get("/accounts/profile", { accept: "application/json" });
    assert.equal(profile.status, 401);
    const json = await new Client(warrant.handler).json("/accounts/login", {
      username: name,
      password: PASSWORD,
    });
    assert.equal(json.status, 200);
    assert.equal(
      ((await json.json()) as { challenge: { name: string } }).challenge.name,
      "NEW_PASSWORD_REQUIRED",
    );
  });

  it("GET /session answers 401 without a session", async () => {
    const res = await new Client(warrantFor(env).handler).get("/accounts/session", {
      accept: "application/json",
    });
    assert.equal(res.status, 401);
  });

  it("shows the profile from Cognito, through the mapping", async () => {
    const { name } = await user({
      given_name: "Grace",
      family_name: "Hopper",
      phone_number: "+15555550100",
      "custom:api_key_id": "key-123",
    });
    const client = new Client(
      warrantFor(env, {
        attributeMapping: {
          email: "email",
          given_name: "first_name",
          family_name: "last_name",
          "custom:api_key_id": "api_key_id",
        },
      }).handler,
    );
    await client.login(name, PASSWORD);
    const page = await client.get("/accounts/profile");
    assert.equal(page.status, 200);
    const html = await page.text();
    for (const value of ["Grace", "Hopper", name, "+15555550100", "key-123"])
      assert.ok(html.includes(value), value);
    assert.match(html, /<dt>First name<\/dt><dd data-attribute="given_name">Grace<\/dd>/);
    const json = await client.get("/accounts/profile", { accept: "application/json" });
    const body = (await json.json()) as {
      user: Record<string, unknown>;
      attributes: Record<string, unknown>;
    };
    assert.equal(body.user.first_name, "Grace");
    assert.equal(body.user.api_key_id, "key-123");
    assert.equal(body.attributes.phone_number, "+15555550100");
  });

  it("round-trips a profile update: form → Cognito → profile page and local record", async () => {
    const { name, username } = await user({ given_name: "Old", family_name: "Name" });
    const storage = createStorage();
    const client = new Client(warrantFor(env, { storage }).handler);
    await client.login(name, PASSWORD);
    const form = await client.get("/accounts/profile/update");
    const html = await form.text();
    assert.match(html, /name="first_name" type="text" value="Old"/);
    const res = await client.form("/accounts/profile/update", {
      csrf: csrfOf(html),
      first_name: "New",
      last_name: "Name",
      email: name,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/accounts/profile?updated=1");
    const cognito = await env.pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: username }),
    );
    assert.equal(cognito.UserAttributes?.find((a) => a.Name === "given_name")?.Value, "New");
    const profile = await (await client.get("/accounts/profile?updated=1")).text();
    assert.match(profile, /Your profile was updated\./);
    assert.match(profile, /<dd data-attribute="given_name">New<\/dd>/);
    assert.equal(((await storage.getItem(`users:${username}`)) as Record<string, unknown>).first_name, "New");
    const session = (await (
      await client.get("/accounts/session", { accept: "application/json" })
    ).json()) as { user: Record<string, unknown> };
    assert.equal(session.user.first_name, "New");
  });

  it("updates the profile through JSON and refuses invalid values without calling Cognito", async () => {
    const { name } = await user();
    const client = new Client(warrantFor(env).handler);
    await client.json("/accounts/login", { username: name, password: PASSWORD });
    const ok = await client.json("/accounts/profile/update", { first_name: "Json" });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { user: { first_name: string } }).user.first_name, "Json");
    env.front.resetCalls();
    const bad = await client.json("/accounts/profile/update", { email: "not an email" });
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { fields: string[] }).fields, ["email"]);
    const tooLong = await client.json("/accounts/profile/update", { first_name: "x".repeat(3000) });
    assert.equal(tooLong.status, 400);
    assert.equal(env.front.calls("UpdateUserAttributes"), 0);
  });

  it("logs out: POST ends the session, expires the cookie, revokes at Cognito; GET is 405", async () => {
    const { name } = await user();
    const storage = createStorage();
    const warrant = warrantFor(env, { storage });
    const client = new Client(warrant.handler);
    await client.login(name, PASSWORD);
    const cookie = client.jar.get("warrant")!;
    const get = await client.get("/accounts/logout");
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    const page = await get.text();
    assert.match(page, /method="post" action="\/accounts\/logout"/);
    env.front.resetCalls();
    const res = await client.form("/accounts/logout", { csrf: csrfOf(page) });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/accounts/login");
    assert.ok(
      res.headers
        .getSetCookie()
        .some((c) => /^warrant=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax$/.test(c)),
    );
    assert.equal(env.front.calls("RevokeToken"), 1);
    assert.deepEqual(await storage.getKeys("sessions"), []);
    const old = await new Client(warrant.handler).get("/accounts/session", {
      cookie: `warrant=${cookie}`,
      accept: "application/json",
    });
    assert.equal(old.status, 401);
  });

  it("logs out through JSON: 200 { ok: true }, cookie expired, session gone", async () => {
    const { name } = await user();
    const warrant = warrantFor(env);
    const client = new Client(warrant.handler);
    await client.json("/accounts/login", { username: name, password: PASSWORD });
    const cookie = client.jar.get("warrant")!;
    const res = await client.json("/accounts/logout", {});
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
    assert.equal(client.jar.has("warrant"), false);
    const old = await new Client(warrant.handler).get("/accounts/session", {
      cookie: `warrant=${cookie}`,
      accept: "application/json",
    });
    assert.equal(old.status, 401);
  });

  it("renders pages through options.pages and words through options.text", async () => {
    const { name } = await user({ given_name: "Käthe" });
    const warrant = warrantFor(env, {
      text: { "login.title": "Anmelden", "login.submit": "Weiter", "login.failed": "Falsche Angaben." },
      pages: {
        profile: ({ ctx, items }) =>
          `<!doctype html><title>Mein Profil</title><ul>${items.map((i) => `<li>${i.attribute}=${i.value ?? ""}</li>`).join("")}</ul><form method="post" action="${ctx.basePath}/logout"><input type="hidden" name="csrf" value="${ctx.csrf}"></form>`,
      },
    });
    const client = new Client(warrant.handler);
    const login = await (await client.get("/accounts/login")).text();
    assert.match(login, /<title>Anmelden<\/title>/);
    assert.match(login, />Weiter<\/button>/);
    const failed = await client.form("/accounts/login", {
      csrf: csrfOf(login),
      username: name,
      password: "Wrong-Password-1",
    });
    assert.match(await failed.text(), /Falsche Angaben\./);
    await client.login(name, PASSWORD);
    const profile = await client.get("/accounts/profile");
    const html = await profile.text();
    assert.match(html, /<title>Mein Profil<\/title>/);
    assert.match(html, /<li>given_name=Käthe<\/li>/);
    assert.match(
      profile.headers.get("content-security-policy") ?? "",
      /frame-ancestors 'none'/,
      "replaced pages keep the headers",
    );
    // The replaced page's form token works: the CSRF binding does not depend on the built-in page.
    const logout = await client.form("/accounts/logout", { csrf: csrfOf(html) });
    assert.equal(logout.status, 303);
  });

  it("answers 404 for anything it does not own, so apps compose", async () => {
    const warrant = warrantFor(env);
    for (const path of ["/", "/accounts", "/accounts/nope", "/accountsx/login", "/other/login"]) {
      assert.equal((await warrant.handler(new Request(`http://localhost${path}`))).status, 404, path);
    }
    const put = await warrant.handler(new Request("http://localhost/accounts/login", { method: "PUT" }));
    assert.equal(put.status, 405);
  });

  it("keeps no secrets in storage after web logins", async () => {
    const { name } = await user();
    const storage = createStorage();
    const client = new Client(warrantFor(env, { storage }).handler);
    await client.login(name, PASSWORD);
    const raw = JSON.stringify(await dump(storage));
    assert.ok(!raw.includes(client.jar.get("warrant")!));
    assert.doesNotMatch(raw, JWT);
    assert.ok(!raw.includes(PASSWORD));
  });
});
