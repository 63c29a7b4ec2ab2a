/**
 * The staff calls (src/cognito/admin.ts), each on its own against cognito-local through the front,
 * without HTTP. cognito-local ignores ListUsers' Limit and PaginationToken, and still logs disabled users
 * in; real Cognito pages and refuses them (noted where it matters).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { adminPageSize } from "../../src/cognito/admin.ts";
import { type CognitoApi, createCognitoApi } from "../../src/cognito/api.ts";
import { WarrantError } from "../../src/errors.ts";
import { resolveConfig } from "../../src/options.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";

describe("cognito/admin.ts", () => {
  let env: Env;
  let cognito: CognitoApi;
  before(async () => {
    env = await createEnv();
    cognito = createCognitoApi(
      resolveConfig({
        userPoolId: env.pool.userPoolId,
        clientId: env.pool.clientId,
        endpoint: env.front.endpoint,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
        secret: SECRET,
      }),
    );
  });
  after(() => env.close());

  it("listUsers: the pool's users with attributes, status and enabled; asks for one page", async () => {
    const name = email("list");
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Lis" },
    });
    const page = await cognito.listUsers();
    const found = page.users.find((u) => u.username === username);
    assert.ok(found);
    assert.equal(found.status, "CONFIRMED");
    assert.equal(found.enabled, true);
    assert.equal(found.attributes.find((a) => a.Name === "email")?.Value, name);
    assert.equal(env.front.requests("ListUsers").at(-1).Limit, adminPageSize);
    // FAKE: cognito-local never pages, so Cognito's PaginationToken comes from the front.
    env.front.fakeFault("ListUsers", { kind: "error", status: 500, type: "InternalErrorException" }, 3);
    await assert.rejects(
      cognito.listUsers(),
      (e: unknown) => e instanceof WarrantError && e.code === "cognito_unavailable",
    );
  });

  it("getPoolUser: the user with its groups; an unknown user is null", async () => {
    const username = await env.pool.createUser({
      email: email("get"),
      password: PASSWORD,
      groups: ["admin", "ops"],
    });
    const user = await cognito.getPoolUser(username);
    assert.ok(user);
    assert.equal(user.username, username);
    assert.deepEqual([...user.groups].sort(), ["admin", "ops"]);
    assert.equal(await cognito.getPoolUser("no-such-user"), null);
  });

  it("disableUser and enableUser: the flag follows; an unknown user is false", async () => {
    const username = await env.pool.createUser({ email: email("disable"), password: PASSWORD });
    assert.equal(await cognito.disableUser(username), true);
    assert.equal((await cognito.getPoolUser(username))?.enabled, false);
    assert.equal(await cognito.enableUser(username), true);
    assert.equal((await cognito.getPoolUser(username))?.enabled, true);
    assert.equal(await cognito.disableUser("no-such-user"), false);
    assert.equal(await cognito.enableUser("no-such-user"), false);
    // Changing state is never retried: one FAKE 5xx is already the answer.
    env.front.resetCalls();
    env.front.fakeFault("AdminDisableUser", { kind: "error", status: 500, type: "InternalErrorException" });
    await assert.rejects(
      cognito.disableUser(username),
      (e: unknown) => e instanceof WarrantError && e.code === "cognito_unavailable",
    );
    assert.equal(env.front.calls("AdminDisableUser"), 1);
  });
});
