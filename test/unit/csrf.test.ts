import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCsrf } from "../../src/http/csrf.ts";

const a = "csrf-secret-a-0123456789-abcdefghijklmn";
const b = "csrf-secret-b-0123456789-abcdefghijklmn";

describe("CSRF tokens (R2)", () => {
  it("verifies a token for its own binding only", () => {
    const csrf = createCsrf([a]);
    const token = csrf.token("session-1");
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(csrf.verify("session-1", token), true);
    assert.equal(csrf.verify("session-2", token), false);
  });

  it("is keyed by the secret; rotation: every listed secret verifies, the first one signs", () => {
    const old = createCsrf([a]).token("s");
    const rotated = createCsrf([b, a]);
    assert.equal(rotated.verify("s", old), true);
    assert.equal(createCsrf([b]).verify("s", old), false);
    assert.equal(createCsrf([a]).verify("s", rotated.token("s")), false);
  });

  it("refuses anything that is not a token of the right shape", () => {
    const csrf = createCsrf([a]);
    for (const token of [undefined, null, 1, "", "x".repeat(42), "!".repeat(43), `${csrf.token("s")}x`])
      assert.equal(csrf.verify("s", token), false);
  });
});
