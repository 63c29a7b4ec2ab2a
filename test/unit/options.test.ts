import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as v from "valibot";
import { createWarrant, memoryStorage, WarrantError } from "../../src/mod.ts";
import { createSessionReader } from "../../src/reader.ts";
import { startCognitoFront } from "../support/cognito-front.ts";
import { SECRET } from "../support/setup.ts";

const base = { userPoolId: "eu-west-1_AbC123", clientId: "client", secret: SECRET };

describe("options", () => {
  const bad: [string, unknown, RegExp][] = [
    ["missing userPoolId", { clientId: "c", secret: SECRET }, /options\.userPoolId is required/],
    ["malformed userPoolId", { ...base, userPoolId: "nope" }, /options\.userPoolId must be a user pool id/],
    ["empty clientId", { ...base, clientId: "" }, /options\.clientId must be a non-empty string/],
    ["missing secret", { userPoolId: base.userPoolId, clientId: "c" }, /options\.secret is required/],
    [
      "short secret",
      { ...base, secret: "short" },
      /options\.secret must be a string of at least 32 characters/,
    ],
    [
      "short rotated secret",
      { ...base, secret: [SECRET, "short"] },
      /options\.secret\[1\] must be a string of at least 32/,
    ],
    [
      "empty mapping target",
      { ...base, attributeMapping: { given_name: "" } },
      /options\.attributeMapping\["given_name"\] must be a non-empty string/,
    ],
    ["unknown authFlow", { ...base, authFlow: "CUSTOM_AUTH" }, /options\.authFlow must be/],
    [
      "unknown preferredChallenge",
      { ...base, authFlow: "USER_AUTH", preferredChallenge: "SMS_MFA" },
      /options\.preferredChallenge must be one of PASSWORD_SRP, PASSWORD, WEB_AUTHN, EMAIL_OTP, SMS_OTP/,
    ],
    [
      "preferredChallenge without USER_AUTH",
      { ...base, preferredChallenge: "WEB_AUTHN" },
      /options\.preferredChallenge needs options\.authFlow "USER_AUTH"/,
    ],
    [
      "negative maxAge",
      { ...base, session: { maxAge: -1 } },
      /options\.session\.maxAge must be a positive number of seconds/,
    ],
    [
      "fractional idleTimeout",
      { ...base, session: { idleTimeout: 1.5 } },
      /options\.session\.idleTimeout must be a positive number of seconds/,
    ],
    [
      "idle longer than max",
      { ...base, session: { idleTimeout: 100, maxAge: 10 } },
      /options\.session\.idleTimeout must not exceed/,
    ],
    [
      "cookie name with ;",
      { ...base, session: { cookieName: "a;Domain=evil" } },
      /options\.session\.cookieName must be a cookie name/,
    ],
    ["unknown option", { ...base, sercet: "typo" }, /options\.sercet is not a known option/],
    [
      "unknown session option",
      { ...base, session: { ttl: 1 } },
      /options\.session\.ttl is not a known option/,
    ],
    ["bad endpoint", { ...base, endpoint: "not a url" }, /options\.endpoint must be a URL/],
    ["bad basePath", { ...base, basePath: "accounts" }, /options\.basePath must be a path/],
    [
      "bad userSchema",
      { ...base, userSchema: { email: "string" } },
      /options\.userSchema must be a valibot object schema/,
    ],
    ["bad storage", { ...base, storage: new Map() }, /options\.storage must be an unstorage Storage/],
    ["bad credentials", { ...base, credentials: "AKIA..." }, /options\.credentials must be/],
    ["session not an object", { ...base, session: 5 }, /options\.session must be an object$/],
    [
      "zero rate limit",
      { ...base, rateLimit: { perAccount: 0 } },
      /options\.rateLimit\.perAccount must be a whole positive number$/,
    ],
    [
      "header name with a space",
      { ...base, rateLimit: { trustProxy: { hops: 1, header: "x forwarded" } } },
      /options\.rateLimit\.trustProxy\.header must be a header name$/,
    ],
    ["staffGroups not an array", { ...base, staffGroups: "admin" }, /options\.staffGroups must be an array/],
    [
      "bad createUnknownUsers",
      { ...base, createUnknownUsers: "no" },
      /options\.createUnknownUsers must be true or false/,
    ],
  ];
  for (const [label, options, message] of bad) {
    it(`rejects ${label}, naming the option path`, () => {
      assert.throws(
        () => createWarrant(options as never),
        (error: unknown) =>
          error instanceof WarrantError && error.code === "invalid_options" && message.test(error.message),
      );
    });
  }

  it("a session reader rejects every one of them with the same message", () => {
    for (const [label, options, message] of bad) {
      assert.throws(
        () => createSessionReader({ storage: memoryStorage(), ...(options as object) } as never),
        (error: unknown) =>
          error instanceof WarrantError && error.code === "invalid_options" && message.test(error.message),
        label,
      );
    }
  });

  it("a session reader's config is the warrant's without the user schema", () => {
    const reader = createSessionReader({ ...base, storage: memoryStorage() });
    const { userSchema: _, ...warrantConfig } = createWarrant(base).config;
    assert.deepEqual({ ...reader.config, logger: undefined }, { ...warrantConfig, logger: undefined });
    assert.ok(Object.isFrozen(reader.config));
  });

  it("never puts a secret value into the error message", () => {
    const leaky = "a-secret-value-that-is-too-short";
    assert.throws(
      () => createWarrant({ ...base, secret: [SECRET, leaky.slice(0, 20)] }),
      (error: Error) => !error.message.includes(leaky.slice(0, 20)),
    );
  });

  it("applies the documented defaults and derives the region", () => {
    const { config } = createWarrant(base);
    assert.equal(config.region, "eu-west-1");
    assert.equal(config.poolName, "AbC123");
    assert.equal(config.authFlow, "USER_SRP_AUTH");
    assert.deepEqual(config.attributeMapping, {
      email: "email",
      given_name: "first_name",
      family_name: "last_name",
    });
    assert.equal(config.createUnknownUsers, true);
    assert.equal(config.basePath, "/accounts");
    assert.equal(config.loginRedirect, "/accounts/profile");
    assert.deepEqual(config.session, {
      cookieName: "warrant",
      idleTimeout: 86_400,
      maxAge: 1_209_600,
      maxPerUser: 50,
    });
    assert.deepEqual(config.staffGroups, ["admin"]);
    assert.equal(config.refreshTokenRotation, false);
    assert.ok(Object.isFrozen(config));
    assert.deepEqual(Object.keys(config.userSchema.entries).sort(), ["email", "first_name", "last_name"]);
  });

  it("lets region override the derived one", () => {
    assert.equal(createWarrant({ ...base, region: "us-east-2" }).config.region, "us-east-2");
  });

  it("does not mutate the caller's options", () => {
    const options = {
      ...base,
      attributeMapping: { email: "email", "custom:plan": "plan" },
      session: { idleTimeout: 60, maxAge: 120 },
      staffGroups: ["staff"],
      secret: [SECRET, `${SECRET}-old`],
      userSchema: v.object({ email: v.optional(v.string()) }),
    };
    const copy = structuredClone({ ...options, userSchema: undefined });
    const { config } = createWarrant(options);
    assert.deepEqual({ ...options, userSchema: undefined }, copy);
    assert.notEqual(config.attributeMapping, options.attributeMapping);
    assert.deepEqual(config.secrets, options.secret);
  });

  it("never touches the network while constructing", async () => {
    const front = await startCognitoFront("http://127.0.0.1:9");
    try {
      createWarrant({ ...base, endpoint: front.endpoint });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(front.calls(), 0);
    } finally {
      await front.close();
    }
  });
});

describe("cognitoTimeout and writableAttributes", () => {
  it("default to 5000 ms and the standard profile attributes (no custom: one), and validate", async () => {
    const { resolveConfig, standardWritableAttributes } = await import("../../src/options.ts");
    const base = { userPoolId: "eu-west-1_Opts", clientId: "c", secret: "s".repeat(32) };
    const config = resolveConfig(base);
    assert.equal(config.cognitoTimeout, 5000);
    assert.deepEqual(config.writableAttributes, standardWritableAttributes);
    assert.ok(config.writableAttributes.every((a) => !a.startsWith("custom:")));
    assert.deepEqual(resolveConfig({ ...base, writableAttributes: ["custom:team"] }).writableAttributes, [
      "custom:team",
    ]);
    assert.throws(() => resolveConfig({ ...base, cognitoTimeout: 0 }), /options\.cognitoTimeout/);
    assert.throws(
      () => resolveConfig({ ...base, writableAttributes: [""] as never }),
      /options\.writableAttributes/,
    );
  });
});
