import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CognitoTimeout, classify, outageCause } from "../../src/cognito/errors.ts";
import { isLoopback, memoryStoreWarning } from "../../src/http/origin.ts";
import { createWarrant } from "../../src/mod.ts";

describe("outage causes and the memory-store warning", () => {
  it("names the cause of no answer without a host or a message: a code, the deadline, Deno's permission", () => {
    const withMeta = (e: Error, extra: object) => Object.assign(e, { $metadata: { attempts: 1 } }, extra);
    assert.equal(
      outageCause(withMeta(new Error("connect ECONNREFUSED 10.1.2.3:443"), { code: "ECONNREFUSED" })),
      "ECONNREFUSED",
    );
    assert.equal(
      outageCause(withMeta(new Error("getaddrinfo ENOTFOUND cognito.example"), { code: "ENOTFOUND" })),
      "ENOTFOUND",
    );
    assert.equal(outageCause(new CognitoTimeout(5000)), "no answer within 5000 ms");
    // The exact error Deno raises for the SDK without --allow-sys (checked with deno 2.x).
    const deno = Object.assign(
      new Error('Requires sys access to "osRelease", run again with the --allow-sys flag'),
      {
        name: "NotCapable",
      },
    );
    assert.equal(classify(deno), "unavailable");
    assert.equal(outageCause(deno), "Deno permission missing: run with --allow-sys");
    assert.equal(
      outageCause(Object.assign(new Error("x"), { $metadata: { httpStatusCode: 502 } })),
      "HTTP 502",
    );
  });

  it("E6: the memory store warns once behind a non-loopback origin, never on localhost", async () => {
    assert.ok(
      isLoopback("http://localhost:3000") &&
        isLoopback("http://127.0.0.1") &&
        isLoopback("http://[::1]:8080"),
    );
    assert.ok(!isLoopback("https://app.example.com") && !isLoopback("http://10.0.0.1"));
    const seen: string[] = [];
    const check = memoryStoreWarning((m) => seen.push(m));
    check("http://localhost:3000");
    assert.equal(seen.length, 0);
    check("https://app.example.com");
    check("https://other.example.com");
    assert.equal(seen.length, 1);
    assert.match(seen[0]!, /in-memory store.*options\.storage/);
    // Through createWarrant: a request to a public origin with the default store warns, once.
    const warnings: string[] = [];
    const original = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const warrant = createWarrant({ userPoolId: "eu-west-1_Warn", clientId: "c", secret: "s".repeat(32) });
      await warrant.handler(new Request("http://localhost/accounts/login"));
      assert.equal(warnings.length, 0);
      await warrant.handler(new Request("https://shop.example.com/accounts/login"));
      await warrant.handler(new Request("https://shop.example.com/accounts/login"));
      assert.equal(warnings.length, 1);
      createWarrant({
        userPoolId: "eu-west-1_Warn",
        clientId: "c",
        secret: "s".repeat(32),
        origins: ["https://shop.example.com"],
      });
      assert.equal(warnings.length, 2, "configured origins warn at construction");
    } finally {
      console.warn = original;
    }
  });
});
