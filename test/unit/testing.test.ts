/**
 * `@warrant/cognito/testing` used as an application's test suite would use it: a warrant on a memory
 * store, an app behind `protect`, and signed-in requests from `createSession`. No Cognito: the endpoint
 * is a closed port, so a call to it would fail (and the logout test shows revocation is tried and let go).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStorage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";
import { createWarrant } from "../../src/mod.ts";
import { createSession } from "../../src/testing.ts";
import { fakeClock, SECRET } from "../support/setup.ts";

function app() {
  const clock = fakeClock();
  const storage = createStorage({ driver: memoryDriver() });
  const warrant = createWarrant({
    userPoolId: "eu-west-1_Testing",
    clientId: "testing-client",
    secret: SECRET,
    storage,
    endpoint: "http://127.0.0.1:9",
    cognitoTimeout: 500,
    now: clock.now,
  });
  const hello = warrant.protect((_request, { user }) =>
    Response.json({ hello: user.first_name ?? user.username, staff: user.groups.includes("admin") }),
  );
  return { warrant, hello, clock, storage };
}

describe("@warrant/cognito/testing createSession", () => {
  it("signs a user in for protect and getSession, with the fields given", async () => {
    const { warrant, hello } = app();
    const ada = await createSession(warrant, { username: "ada", first_name: "Ada", groups: ["admin"] });
    const response = await hello(new Request("http://localhost/", { headers: { cookie: ada.cookie } }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { hello: "Ada", staff: true });
    const session = await warrant.getSession(ada.request("/anything"));
    assert.equal(session?.user.first_name, "Ada");
    assert.equal(session?.user.sub, "ada");
    assert.equal(session?.id, ada.session.id);
    assert.match(ada.setCookie, /^warrant=[^;]+; .*HttpOnly/);
  });

  it("leaves anonymous requests anonymous, and each session is its own", async () => {
    const { warrant, hello } = app();
    const anonymous = await hello(
      new Request("http://localhost/", { headers: { accept: "application/json" } }),
    );
    assert.equal(anonymous.status, 401);
    const one = await createSession(warrant, { username: "one" });
    const two = await createSession(warrant, { username: "two" });
    assert.notEqual(one.cookie, two.cookie);
    assert.deepEqual(await (await hello(two.request("/"))).json(), { hello: "two", staff: false });
  });

  it("is seen by the handler's JSON routes, and logout ends it even though Cognito cannot be reached", async () => {
    const { warrant } = app();
    const ada = await createSession(warrant, { username: "ada" });
    const json = { accept: "application/json" };
    const seen = await warrant.handler(ada.request("/accounts/session", { headers: json }));
    assert.equal(seen.status, 200);
    assert.equal((await seen.json()).user.username, "ada");
    const out = await warrant.handler(
      ada.request("/accounts/logout", {
        method: "POST",
        headers: { ...json, "content-type": "application/json" },
        body: "{}",
      }),
    );
    assert.equal(out.status, 200);
    assert.equal((await warrant.handler(ada.request("/accounts/session", { headers: json }))).status, 401);
  });

  it("never needs a refresh while the session lives, and ends at the idle timeout like any session", async () => {
    const { warrant, clock } = app();
    const ada = await createSession(warrant, { username: "ada" });
    clock.advance(23 * 3600_000);
    assert.equal((await warrant.getSession(ada.request("/")))?.user.username, "ada");
    clock.advance(24 * 3600_000 + 1000);
    assert.equal(await warrant.getSession(ada.request("/")), null);
  });

  it("gives an https site the __Host- cookie, and test tokens that verifyToken refuses", async () => {
    const { warrant } = app();
    const ada = await createSession(warrant, { username: "ada" }, { url: "https://app.example/" });
    assert.match(ada.cookie, /^__Host-warrant=/);
    assert.equal((await warrant.getSession(ada.request("/")))?.user.username, "ada");
    const claims = JSON.parse(atob(ada.tokens.idToken.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    assert.equal(claims["cognito:username"], "ada");
    assert.equal(claims.aud, "testing-client");
    const verified = await warrant.verifyToken(ada.tokens.accessToken);
    assert.equal(verified.ok, false);
  });

  it("refuses a user without a username", async () => {
    const { warrant } = app();
    await assert.rejects(
      createSession(warrant, { username: "" }),
      /user\.username must be a non-empty string/,
    );
  });
});
