/**
 * Typed users at run time (issue 11, item 7): what the types of test/types/users.ts promise is what a
 * real login through cognito-local hands out, in `authenticate`, the session `protect` sees and
 * `getSession`, including a field the schema transforms (a number from a Cognito string).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as v from "valibot";
import { createWarrant } from "../../src/mod.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";

describe("typed users", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("hands out the schema's output and the unstored mapped fields, as the types say", async () => {
    const name = email("typed");
    await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { given_name: "Ada", "custom:age": "36", "custom:team": "engines" },
    });
    const warrant = createWarrant({
      userPoolId: env.pool.userPoolId,
      clientId: env.pool.clientId,
      endpoint: env.front.endpoint,
      authFlow: "USER_PASSWORD_AUTH",
      secret: SECRET,
      attributeMapping: {
        email: "email",
        given_name: "first_name",
        "custom:age": "age",
        "custom:team": "team",
      },
      userSchema: v.object({
        email: v.pipe(v.string(), v.email()),
        first_name: v.optional(v.string()),
        age: v.optional(v.pipe(v.string(), v.transform(Number))),
      }),
    });
    const result = await warrant.authenticate(name, PASSWORD);
    assert.ok(result.ok);
    const age: number | undefined = result.user.age;
    assert.equal(age, 36);
    assert.equal(result.user.team, "engines");
    const { cookie } = await warrant.createSession(result);
    const request = new Request("http://localhost/", { headers: { cookie: cookie.split(";")[0]! } });
    const seen = await warrant.protect((_r, { user }) =>
      Response.json({ age: user.age, name: user.first_name }),
    )(request);
    assert.deepEqual(await seen.json(), { age: 36, name: "Ada" });
    const session = await warrant.getSession(request);
    const email_: string | undefined = session?.user.email;
    assert.equal(email_, name);
    const record = await warrant.getUser(result.user.username);
    assert.equal(record?.age, 36);
    assert.equal(record && "team" in record, false, "a mapped field outside the schema is not stored");
  });
});
