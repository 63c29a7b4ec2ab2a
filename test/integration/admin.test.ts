/**
 * The staff pages against cognito-local: list (paginated), inspect, disable/enable, sign out everywhere.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider";
import { Client, csrfOf } from "../support/browser-client.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

describe("admin pages", () => {
  let env: Env;
  let staffName: string;
  let member: { name: string; username: string };
  before(async () => {
    env = await createEnv();
    staffName = email("staff");
    await env.pool.createUser({ email: staffName, password: PASSWORD, groups: ["admin"] });
    const name = email("member");
    member = {
      name,
      username: await env.pool.createUser({
        email: name,
        password: PASSWORD,
        attributes: { given_name: "Mem" },
      }),
    };
    for (let i = 0; i < 20; i++)
      await env.pool.createUser({ email: email(`filler${i}`), password: PASSWORD });
  });
  after(() => env.close());

  const signIn = async (warrant: ReturnType<typeof warrantFor>, name: string) => {
    const client = new Client(warrant.handler);
    assert.equal((await client.login(name, PASSWORD)).status, 303);
    return client;
  };

  it("lets staff list the pool's users, asking Cognito for pages of 20", async () => {
    const warrant = warrantFor(env);
    const staff = await signIn(warrant, staffName);
    env.front.resetCalls();
    const first = await staff.get("/accounts/admin/users", { accept: "application/json" });
    assert.equal(first.status, 200);
    const page = (await first.json()) as {
      users: { username: string; email: string; status: string }[];
      next: string | null;
    };
    // cognito-local ignores Limit and returns every user at once; real Cognito returns at most Limit.
    assert.equal(env.front.requests("ListUsers")[0].Limit, 20);
    assert.ok(page.users.length >= 22);
    const row = page.users.find((u) => u.email === member.name);
    assert.equal(row?.username, member.username);
    assert.equal(row?.status, "CONFIRMED");
    const html = await (await staff.get("/accounts/admin/users")).text();
    assert.match(html, /<table>/);
    assert.ok(html.includes(`/accounts/admin/users/${member.username}`));
  });

  it("follows Cognito's pagination token to the next page (FAKE ListUsers: cognito-local does not paginate)", async () => {
    const warrant = warrantFor(env);
    const staff = await signIn(warrant, staffName);
    env.front.intercept("ListUsers", async (body) => {
      const second = body.PaginationToken === "page-2-token";
      return {
        status: 200,
        body: {
          Users: [
            {
              Username: second ? "u-2" : "u-1",
              Enabled: true,
              UserStatus: "CONFIRMED",
              Attributes: [{ Name: "email", Value: second ? "two@example.com" : "one@example.com" }],
            },
          ],
          ...(second ? {} : { PaginationToken: "page-2-token" }),
        },
      };
    });
    try {
      const html = await (await staff.get("/accounts/admin/users")).text();
      assert.match(html, /one@example\.com/);
      const next = /href="([^"]+page=[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, "&");
      const second = await (await staff.get(next)).text();
      assert.match(second, /two@example\.com/);
      assert.doesNotMatch(second, /Next page/);
    } finally {
      env.front.intercept("ListUsers", undefined);
    }
  });

  it("turns away anonymous visitors (to login) and signed-in non-staff (403)", async () => {
    const warrant = warrantFor(env);
    const anonymous = await new Client(warrant.handler).get("/accounts/admin/users");
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get("location")!, /^\/accounts\/login\?next=/);
    const user = await signIn(warrant, member.name);
    env.front.resetCalls();
    assert.equal((await user.get("/accounts/admin/users")).status, 403);
    assert.equal((await user.get(`/accounts/admin/users/${member.username}`)).status, 403);
    assert.equal(env.front.calls("ListUsers"), 0);
  });

  it("shows a user and disables them: Cognito refuses them and every session of theirs ends", async () => {
    const warrant = warrantFor(env);
    const staff = await signIn(warrant, staffName);
    const victim = await signIn(warrant, member.name);
    const page = await staff.get(`/accounts/admin/users/${member.username}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(member.name.replace(/[.+]/g, "\\$&")));
    assert.match(html, /<dt>Active sessions here<\/dt><dd>1<\/dd>/);
    assert.equal(
      (await staff.form(`/accounts/admin/users/${member.username}`, { action: "disable" })).status,
      403,
      "no CSRF token",
    );
    const res = await staff.form(`/accounts/admin/users/${member.username}`, {
      csrf: csrfOf(html),
      action: "disable",
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `/accounts/admin/users/${member.username}?done=disable`);
    const cognito = await env.pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: member.username }),
    );
    assert.equal(cognito.Enabled, false);
    assert.equal((await victim.get("/accounts/session", { accept: "application/json" })).status, 401);
    // Real Cognito then refuses the user's logins (NotAuthorizedException "User is disabled.", which the
    // library answers as invalid credentials); cognito-local stores Enabled: false but still logs them in.
    const enabled = await staff.json(`/accounts/admin/users/${member.username}`, { action: "enable" });
    assert.equal(enabled.status, 200);
    const after = await env.pool.admin.send(
      new AdminGetUserCommand({ UserPoolId: env.pool.userPoolId, Username: member.username }),
    );
    assert.equal(after.Enabled, true);
  });

  it("signs a user out everywhere, and answers unknown users and actions clearly", async () => {
    const warrant = warrantFor(env);
    const staff = await signIn(warrant, staffName);
    const a = await signIn(warrant, member.name);
    const b = await signIn(warrant, member.name);
    assert.equal(
      (await staff.json(`/accounts/admin/users/${member.username}`, { action: "signout" })).status,
      200,
    );
    assert.equal((await a.get("/accounts/session", { accept: "application/json" })).status, 401);
    assert.equal((await b.get("/accounts/session", { accept: "application/json" })).status, 401);
    assert.equal(
      (await staff.get("/accounts/admin/users/no-such-user", { accept: "application/json" })).status,
      404,
    );
    assert.equal(
      (await staff.json(`/accounts/admin/users/${member.username}`, { action: "delete" })).status,
      400,
    );
    const detail = (await (
      await staff.get(`/accounts/admin/users/${member.username}`, { accept: "application/json" })
    ).json()) as { user: { groups: string[]; fields: Record<string, string> } };
    assert.deepEqual(detail.user.groups, []);
    assert.equal(detail.user.fields.first_name, "Mem");
  });

  // Regression: sign-out addressed by the email (an alias) ended sessions stored under that string,
  // which holds none; the member's sessions live under the Cognito username (here the sub).
  it("acts on the Cognito username when the admin page is addressed by the user's email", async () => {
    const warrant = warrantFor(env);
    const staff = await signIn(warrant, staffName);
    const a = await signIn(warrant, member.name);
    const res = await staff.json(`/accounts/admin/users/${encodeURIComponent(member.name)}`, {
      action: "signout",
    });
    assert.equal(res.status, 200);
    assert.equal((await a.get("/accounts/session", { accept: "application/json" })).status, 401);
  });
});
