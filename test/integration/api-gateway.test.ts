/**
 * `@warrant/cognito/api-gateway` against moto (usage plans, usage-plan keys, API keys) and cognito-local
 * (the users and their `custom:api_key_id`): the subscriptions page, the section of the staff page with
 * its subscribe / unsubscribe actions, and the `withApiKey` validator. A counting front before moto shows
 * which calls reached API Gateway.
 *
 * Where moto differs from API Gateway (test/support/moto.ts): it accepts CreateUsagePlanKey for a plan
 * that does not exist, so the tests show the library refuses such a plan before calling; and it answers
 * DeleteUsagePlanKey for a key not on the plan with a 500, so the library only unsubscribes from plans
 * API Gateway lists for the key.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { GetUsagePlansCommand, UpdateApiKeyCommand } from "@aws-sdk/client-api-gateway";
import { type ApiGatewayEvent, type ApiGatewayOptions, apiGateway } from "../../src/api-gateway/mod.ts";
import { withApiKey } from "../../src/mod.ts";
import { Client, csrfOf } from "../support/browser-client.ts";
import { freePort } from "../support/cognito-local.ts";
import {
  createKey,
  createPlan,
  type GatewayFront,
  MOTO_CREDENTIALS,
  MOTO_REGION,
  type Moto,
  motoInstalled,
  startGatewayFront,
  startMoto,
} from "../support/moto.ts";
import { createEnv, type Env, email, fakeClock, nodeStores, PASSWORD, warrantFor } from "../support/setup.ts";

if (!motoInstalled && process.env.CI === "true")
  throw new Error("CI=true and moto_server is missing: it is part of the machine image");

describe("API Gateway extension", { skip: motoInstalled ? false : "moto_server is not installed" }, () => {
  let env: Env;
  let moto: Moto;
  let front: GatewayFront;
  let plans: { basic: string; pro: string; hidden: string };
  let staffName: string;

  before(async () => {
    [env, moto] = await Promise.all([createEnv(), startMoto()]);
    front = await startGatewayFront(moto.endpoint);
    plans = {
      basic: await createPlan(moto, {
        name: "Basic",
        description: "For trying things out",
        throttle: { rateLimit: 10, burstLimit: 20 },
        quota: { limit: 1000, period: "MONTH" },
      }),
      pro: await createPlan(moto, { name: "Pro", description: "For production" }),
      hidden: await createPlan(moto, { name: "Internal", description: "Not offered" }),
    };
    staffName = email("staff");
    await env.pool.createUser({ email: staffName, password: PASSWORD, groups: ["admin"] });
  });
  after(async () => {
    await front?.close();
    await moto?.stop();
    await env?.close();
  });

  const gatewayOf = (options: ApiGatewayOptions = {}) =>
    apiGateway({
      endpoint: front.endpoint,
      region: MOTO_REGION,
      credentials: MOTO_CREDENTIALS,
      plans: [plans.basic, plans.pro],
      ...options,
    });
  const keyPlans = async (keyId: string) =>
    ((await moto.gateway.send(new GetUsagePlansCommand({ keyId }))).items ?? []).map((p) => p.id).sort();
  /** A user whose `custom:api_key_id` is a new key on `on`. */
  const userWithKey = async (on: string[], attributes: Record<string, string> = {}) => {
    const name = email("keyed");
    const key = await createKey(moto, { name: `key-${name}`, plans: on });
    const username = await env.pool.createUser({
      email: name,
      password: PASSWORD,
      attributes: { "custom:api_key_id": key.id, ...attributes },
    });
    return { name, username, key };
  };
  const signIn = async (warrant: ReturnType<typeof warrantFor>, name: string) => {
    const client = new Client(warrant.handler);
    assert.equal((await client.login(name, PASSWORD)).status, 303);
    return client;
  };

  describe("GET /profile/subscriptions", () => {
    it("lists the plans the user's key is on: name, description, throttle and quota, HTML and JSON", async () => {
      const user = await userWithKey([plans.basic]);
      const warrant = warrantFor(env, { extensions: [gatewayOf()] });
      const client = await signIn(warrant, user.name);
      const page = await client.get("/accounts/profile/subscriptions");
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<h1>Your API subscriptions<\/h1>/);
      assert.ok(
        html.includes(`<div class="plan" data-plan="${plans.basic}">
<h2>Basic</h2>
<dl><dt>Description</dt><dd>For trying things out</dd>
<dt>Rate limit</dt><dd data-limit="throttle">10 requests per second, bursts of 20</dd>
<dt>Quota</dt><dd data-limit="quota">1000 requests per month</dd></dl>
</div>`),
      );
      assert.doesNotMatch(html, /Pro|Internal/);
      const json = await (
        await client.get("/accounts/profile/subscriptions", { accept: "application/json" })
      ).json();
      assert.deepEqual(json, {
        keyId: user.key.id,
        plans: [
          {
            id: plans.basic,
            name: "Basic",
            description: "For trying things out",
            throttle: { rateLimit: 10, burstLimit: 20 },
            quota: { limit: 1000, period: "MONTH", offset: 0 },
          },
        ],
      });
      // The key's value never leaves API Gateway.
      assert.ok(!html.includes(user.key.value) && !JSON.stringify(json).includes(user.key.value));
      const profile = await (await client.get("/accounts/profile")).text();
      assert.match(profile, /<a href="\/accounts\/profile\/subscriptions">API subscriptions<\/a>/);
    });

    it("shows a clear empty state without a key, with a malformed key id, and for a key on no plan", async () => {
      const warrant = warrantFor(env, { extensions: [gatewayOf()] });
      const keyless = email("keyless");
      await env.pool.createUser({ email: keyless, password: PASSWORD });
      const client = await signIn(warrant, keyless);
      front.reset();
      const html = await (await client.get("/accounts/profile/subscriptions")).text();
      assert.match(html, /data-empty="no-key">Your account has no API key yet/);
      assert.deepEqual(
        await (await client.get("/accounts/profile/subscriptions", { accept: "application/json" })).json(),
        { keyId: null, plans: [] },
      );
      const odd = email("odd");
      await env.pool.createUser({
        email: odd,
        password: PASSWORD,
        attributes: { "custom:api_key_id": "../apikeys" },
      });
      const oddHtml = await (
        await (await signIn(warrant, odd)).get("/accounts/profile/subscriptions")
      ).text();
      assert.match(oddHtml, /data-empty="no-key"/);
      assert.deepEqual(front.requests(), [], "API Gateway was not asked");

      const idle = await userWithKey([]);
      const idleHtml = await (
        await (await signIn(warrant, idle.name)).get("/accounts/profile/subscriptions")
      ).text();
      assert.match(idleHtml, /data-empty="no-plans">Your API key is not subscribed to any usage plan/);
    });

    it("takes its words from options.text, as the built-in pages do", async () => {
      const user = await userWithKey([plans.pro]);
      const warrant = warrantFor(env, {
        extensions: [gatewayOf()],
        text: { "apiGateway.link": "Meine Tarife", "apiGateway.title": "Ihre Tarife" },
      });
      const client = await signIn(warrant, user.name);
      const profile = await (await client.get("/accounts/profile")).text();
      assert.match(profile, /<a href="\/accounts\/profile\/subscriptions">Meine Tarife<\/a>/);
      const page = await (await client.get("/accounts/profile/subscriptions")).text();
      assert.match(page, /<h1>Ihre Tarife<\/h1>/);
      // Without the extension, neither the link nor the route exists.
      const plain = await signIn(warrantFor(env), user.name);
      assert.doesNotMatch(await (await plain.get("/accounts/profile")).text(), /subscriptions/);
      assert.equal((await plain.get("/accounts/profile/subscriptions")).status, 404);
    });

    it("asks anonymous visitors to sign in", async () => {
      const warrant = warrantFor(env, { extensions: [gatewayOf()] });
      const anonymous = new Client(warrant.handler);
      const page = await anonymous.get("/accounts/profile/subscriptions");
      assert.equal(page.status, 303);
      assert.equal(
        page.headers.get("location"),
        "/accounts/login?next=%2Faccounts%2Fprofile%2Fsubscriptions",
      );
      assert.equal(
        (await anonymous.get("/accounts/profile/subscriptions", { accept: "application/json" })).status,
        401,
      );
    });

    it("answers 503 with Retry-After when API Gateway's port is closed, and shows nothing upstream", async () => {
      const user = await userWithKey([plans.basic]);
      const closed = apiGateway({
        endpoint: `http://127.0.0.1:${await freePort()}`,
        region: MOTO_REGION,
        credentials: MOTO_CREDENTIALS,
      });
      const logged: string[] = [];
      const warrant = warrantFor(env, { extensions: [closed], onError: (e) => logged.push(String(e)) });
      const client = await signIn(warrant, user.name);
      const page = await client.get("/accounts/profile/subscriptions", { accept: "application/json" });
      assert.equal(page.status, 503);
      assert.equal(page.headers.get("retry-after"), "5");
      const body = await page.json();
      assert.equal(body.error, "unavailable");
      assert.ok(!JSON.stringify(body).includes("ECONNREFUSED"));
      assert.match(logged.join("\n"), /API Gateway is unavailable/);
    });
  });

  describe("the staff page of a user", () => {
    it("shows the key and its plans, and subscribes and unsubscribes it (with events)", async () => {
      const user = await userWithKey([plans.basic]);
      const events: ApiGatewayEvent[] = [];
      const clock = fakeClock();
      const warrant = warrantFor(env, {
        now: clock.now,
        extensions: [gatewayOf({ onEvent: (e) => void events.push(e) })],
      });
      const staff = await signIn(warrant, staffName);
      const path = `/accounts/admin/users/${user.username}`;
      const html = await (await staff.get(path)).text();
      assert.match(html, /<section data-extension="api-gateway">/);
      assert.ok(
        html.includes(
          `<dd data-key-id="${user.key.id}"><code>${user.key.id}</code> key-${user.name} (enabled)</dd>`,
        ),
      );
      assert.match(html, /Unsubscribe from Basic/);
      assert.match(html, /Subscribe to Pro/);
      assert.doesNotMatch(html, /Internal/, "a plan the app does not offer is not offered");
      const json = await (await staff.get(path, { accept: "application/json" })).json();
      assert.equal(json.sections["api-gateway"].keyId, user.key.id);
      assert.deepEqual(
        json.sections["api-gateway"].others.map((p: { name: string }) => p.name),
        ["Pro"],
      );

      const subscribed = await staff.form(path, {
        csrf: csrfOf(html),
        action: "api-gateway.subscribe",
        plan: plans.pro,
      });
      assert.equal(subscribed.status, 303);
      assert.equal(subscribed.headers.get("location"), `${path}?done=api-gateway.subscribe`);
      assert.deepEqual(await keyPlans(user.key.id), [plans.basic, plans.pro].sort());
      const done = await (await staff.get(`${path}?done=api-gateway.subscribe`)).text();
      assert.match(done, /role="status">The API key was subscribed to the plan\./);
      assert.match(done, /Unsubscribe from Pro/);

      const member = await signIn(warrant, user.name);
      const mine = await (
        await member.get("/accounts/profile/subscriptions", { accept: "application/json" })
      ).json();
      assert.deepEqual(mine.plans.map((p: { name: string }) => p.name).sort(), ["Basic", "Pro"]);

      const left = await staff.json(path, { action: "api-gateway.unsubscribe", plan: plans.basic });
      assert.equal(left.status, 200);
      assert.deepEqual(await left.json(), { ok: true });
      assert.deepEqual(await keyPlans(user.key.id), [plans.pro]);

      const staffUsername = (await warrant.authenticate(staffName, PASSWORD)) as {
        user: { username: string };
      };
      assert.deepEqual(events, [
        {
          type: "api-gateway.subscribed",
          username: user.username,
          keyId: user.key.id,
          planId: plans.pro,
          by: staffUsername.user.username,
          at: clock.now(),
        },
        {
          type: "api-gateway.unsubscribed",
          username: user.username,
          keyId: user.key.id,
          planId: plans.basic,
          by: staffUsername.user.username,
          at: clock.now(),
        },
      ]);
    });

    it("changes only plans the app offers and API Gateway lists, checked before any change", async () => {
      const user = await userWithKey([plans.basic, plans.hidden]);
      const warrant = warrantFor(env, { extensions: [gatewayOf()] });
      const staff = await signIn(warrant, staffName);
      const path = `/accounts/admin/users/${user.username}`;
      const html = await (await staff.get(path)).text();
      assert.match(html, /Internal/, "a plan the key is on is listed");
      assert.doesNotMatch(html, /Unsubscribe from Internal/, "but not offered for a change");
      front.reset();
      const attempts: Record<string, string>[] = [
        { action: "api-gateway.subscribe", plan: plans.hidden },
        // moto would accept a plan that does not exist: the library never asks it to.
        { action: "api-gateway.subscribe", plan: "nosuchplan1" },
        { action: "api-gateway.subscribe", plan: "../usageplans" },
        { action: "api-gateway.unsubscribe", plan: plans.pro },
        { action: "api-gateway.unsubscribe", plan: plans.hidden },
        { action: "api-gateway.nope", plan: plans.pro },
      ];
      for (const fields of attempts) {
        const res = await staff.json(path, fields);
        assert.equal(res.status, 400, JSON.stringify(fields));
        assert.equal((await res.json()).error, "bad_request");
      }
      assert.equal(front.count(/^(POST|DELETE) /), 0, "nothing was changed at API Gateway");
      assert.deepEqual(await keyPlans(user.key.id), [plans.basic, plans.hidden].sort());

      const keyless = email("keyless-admin");
      const keylessName = await env.pool.createUser({ email: keyless, password: PASSWORD });
      const noKey = await staff.json(`/accounts/admin/users/${keylessName}`, {
        action: "api-gateway.subscribe",
        plan: plans.pro,
      });
      assert.equal(noKey.status, 400);
      const keylessPage = await (await staff.get(`/accounts/admin/users/${keylessName}`)).text();
      assert.match(keylessPage, /data-empty="no-key">This user has no API key\./);
    });

    it('offers every plan with plans: "all"', async () => {
      const user = await userWithKey([plans.basic]);
      const warrant = warrantFor(env, { extensions: [gatewayOf({ plans: "all" })] });
      const staff = await signIn(warrant, staffName);
      const path = `/accounts/admin/users/${user.username}`;
      assert.match(await (await staff.get(path)).text(), /Subscribe to Internal/);
      const res = await staff.json(path, { action: "api-gateway.subscribe", plan: plans.hidden });
      assert.equal(res.status, 200);
      assert.deepEqual(await keyPlans(user.key.id), [plans.basic, plans.hidden].sort());
    });

    it("refuses non-staff, cross-site and CSRF-less posts before API Gateway is called", async () => {
      const user = await userWithKey([plans.basic]);
      const warrant = warrantFor(env, { extensions: [gatewayOf()] });
      const path = `/accounts/admin/users/${user.username}`;
      const fields = { action: "api-gateway.subscribe", plan: plans.pro };
      front.reset();
      const member = await signIn(warrant, user.name);
      assert.equal((await member.get(path)).status, 403);
      assert.equal((await member.json(path, fields)).status, 403);
      const staff = await signIn(warrant, staffName);
      assert.equal((await staff.form(path, fields)).status, 403, "no CSRF token");
      assert.equal((await staff.form(path, { ...fields, csrf: "forged" })).status, 403);
      const crossSite = await staff.json(path, fields, {
        "sec-fetch-site": "cross-site",
        origin: "https://evil.example",
      });
      assert.equal(crossSite.status, 403);
      assert.equal(front.count(/^(POST|DELETE) /), 0);
      assert.deepEqual(await keyPlans(user.key.id), [plans.basic]);
    });

    it("subscribes one key from two instances on one Redis at once, without error or a second subscription", async () => {
      const user = await userWithKey([]);
      const redis = nodeStores()[2]!();
      assert.equal(redis.name, "redis");
      const storage = redis.storage;
      const one = warrantFor(env, { storage, extensions: [gatewayOf()] });
      const two = warrantFor(env, { storage, extensions: [gatewayOf()] });
      const a = await signIn(one, staffName);
      const b = new Client(two.handler);
      for (const [k, v] of a.jar) b.jar.set(k, v);
      const path = `/accounts/admin/users/${user.username}`;
      const fields = { action: "api-gateway.subscribe", plan: plans.pro };
      const answers = await Promise.all([...Array(6)].map((_, i) => (i % 2 ? a : b).json(path, fields)));
      assert.deepEqual(
        answers.map((r) => r.status),
        [200, 200, 200, 200, 200, 200],
      );
      assert.deepEqual(await keyPlans(user.key.id), [plans.pro]);
      await redis.cleanup();
    });
  });

  describe("validateKey with withApiKey", () => {
    const api = (validate: (key: string) => Promise<boolean>) =>
      withApiKey((_request, { apiKey }) => Response.json({ ok: apiKey !== undefined }), {
        required: true,
        validate,
      });
    const call = (handler: (r: Request) => Promise<Response>, key: string) =>
      handler(new Request("http://localhost/api", { headers: { "authorization-id": key } }));

    it("passes an enabled key on an offered plan; refuses one on no plan, on another plan, disabled or unknown", async () => {
      const gateway = gatewayOf();
      warrantFor(env, { extensions: [gateway] });
      const handler = api(gateway.validateKey);
      const good = await createKey(moto, { name: "good", plans: [plans.pro] });
      const idle = await createKey(moto, { name: "idle" });
      const elsewhere = await createKey(moto, { name: "elsewhere", plans: [plans.hidden] });
      const off = await createKey(moto, { name: "off", enabled: false, plans: [plans.basic] });
      assert.equal((await call(handler, good.value)).status, 200);
      for (const key of [idle, elsewhere, off])
        assert.equal((await call(handler, key.value)).status, 401, key.id);
      assert.equal((await call(handler, "an-unknown-key-value-0123456789")).status, 401);
      // An id is not a key.
      assert.equal((await call(handler, good.id)).status, 401);
    });

    it("keeps a verdict for cacheTtl seconds, then asks again", async () => {
      const clock = fakeClock();
      const gateway = gatewayOf({ cacheTtl: 30 });
      warrantFor(env, { now: clock.now, extensions: [gateway] });
      const handler = api(gateway.validateKey);
      const key = await createKey(moto, { name: "cached", plans: [plans.basic] });
      front.reset();
      assert.equal((await call(handler, key.value)).status, 200);
      const first = front.requests().length;
      assert.ok(first > 0);
      await moto.gateway.send(
        new UpdateApiKeyCommand({
          apiKey: key.id,
          patchOperations: [{ op: "replace", path: "/enabled", value: "false" }],
        }),
      );
      assert.equal((await call(handler, key.value)).status, 200, "still cached");
      assert.equal(front.requests().length, first, "no call within cacheTtl");
      clock.advance(31_000);
      assert.equal((await call(handler, key.value)).status, 401, "disabled, seen after cacheTtl");
    });

    it("shares one check among parallel callers, and lists keys at most once per 10 s for unknown ones", async () => {
      const clock = fakeClock();
      const gateway = gatewayOf();
      warrantFor(env, { now: clock.now, extensions: [gateway] });
      const handler = api(gateway.validateKey);
      const key = await createKey(moto, { name: "parallel", plans: [plans.basic] });
      front.reset();
      const answers = await Promise.all([...Array(20)].map(() => call(handler, key.value)));
      assert.ok(answers.every((r) => r.status === 200));
      assert.equal(front.count(/^GET \/apikeys$/), 1);
      assert.equal(front.count(/^GET \/apikeys\/[^/]+$/), 1);
      assert.equal(front.count(/^GET \/usageplans$/), 1);
      front.reset();
      const unknown = await Promise.all(
        [...Array(50)].map((_, i) => call(handler, `random-unknown-key-${i}-0123456789abcdef`)),
      );
      assert.ok(unknown.every((r) => r.status === 401));
      assert.equal(front.count(/^GET \/apikeys$/), 0, "listed less than 10 s ago");
      clock.advance(11_000);
      await Promise.all(
        [...Array(50)].map((_, i) => call(handler, `random-unknown-key-${i}-x0123456789abcdef`)),
      );
      assert.equal(front.count(/^GET \/apikeys$/), 1);
    });

    it("answers 503 with Retry-After when API Gateway cannot be reached, never a pass", async () => {
      const gateway = apiGateway({
        endpoint: `http://127.0.0.1:${await freePort()}`,
        region: MOTO_REGION,
        credentials: MOTO_CREDENTIALS,
      });
      const res = await call(api(gateway.validateKey), "some-key-value-0123456789abcdef");
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("retry-after"), "5");
      assert.deepEqual(await res.json(), { error: "unavailable" });
    });
  });

  it("refuses bad options at construction, naming them", () => {
    assert.throws(
      () => apiGateway({ plans: [] }),
      /apiGateway options\.plans must be "all" or a non-empty list/,
    );
    assert.throws(() => apiGateway({ plans: ["has space"] }), /apiGateway options\.plans/);
    assert.throws(
      () => apiGateway({ cacheTtl: 0 }),
      /apiGateway options\.cacheTtl must be at least 1 second/,
    );
    assert.throws(
      () => apiGateway({ nope: true } as never),
      /apiGateway options\.nope is not a known option/,
    );
    assert.throws(
      () => warrantFor(env, { extensions: [gatewayOf(), gatewayOf()] }),
      /must not hold two extensions of one name/,
    );
  });
});
