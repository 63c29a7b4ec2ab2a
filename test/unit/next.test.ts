import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { safeNext } from "../../src/http/next.ts";

describe("safeNext (R5)", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    assert.equal(safeNext("/orders"), "/orders");
    assert.equal(safeNext("/orders?id=1&x=%20y"), "/orders?id=1&x=%20y");
    assert.equal(safeNext("/a/b#top"), "/a/b#top");
  });

  it("refuses everything that could leave the site or smuggle a header", () => {
    const hostile = [
      "//evil.com",
      "/\\evil.com",
      "\\\\evil.com",
      "%2F%2Fevil.com",
      "/%2F/evil.com",
      "\t//evil.com",
      "/\t/evil.com",
      "https:evil.com",
      "https://evil.com",
      "javascript:alert(1)",
      "evil.com",
      "/%0d%0aSet-Cookie:x=y",
      "/%5Cevil.com",
      "",
      `/${"a".repeat(2048)}`,
    ];
    for (const next of hostile) assert.equal(safeNext(next), undefined, next);
  });

  it("refuses what is not a string and malformed escapes", () => {
    for (const next of [undefined, null, 42, {}, ["/x"], "/%E0%A4%A"])
      assert.equal(safeNext(next), undefined);
  });
});
