import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allowedOrigins, sameOriginRequest } from "../../src/http/origin.ts";

const post = (headers: Record<string, string>) =>
  new Request("https://app.example.com/accounts/login", { method: "POST", headers });
const allowed = ["https://app.example.com"];

describe("cross-origin check (R1)", () => {
  it("lets Sec-Fetch-Site decide when a browser sends it", () => {
    assert.equal(sameOriginRequest(post({ "sec-fetch-site": "same-origin" }), allowed), true);
    assert.equal(sameOriginRequest(post({ "sec-fetch-site": "none" }), allowed), true);
    assert.equal(sameOriginRequest(post({ "sec-fetch-site": "cross-site" }), allowed), false);
    assert.equal(sameOriginRequest(post({ "sec-fetch-site": "same-site" }), allowed), false);
    // A cross-site fetch from an origin the site allows.
    const partner = post({ "sec-fetch-site": "cross-site", origin: "https://app.example.com" });
    assert.equal(sameOriginRequest(partner, allowed), true);
  });

  it("else compares Origin exactly (no suffix or prefix tricks)", () => {
    assert.equal(sameOriginRequest(post({ origin: "https://app.example.com" }), allowed), true);
    assert.equal(sameOriginRequest(post({ origin: "https://app.example.com.attacker.com" }), allowed), false);
    assert.equal(sameOriginRequest(post({ origin: "http://app.example.com" }), allowed), false);
    assert.equal(sameOriginRequest(post({ origin: "null" }), allowed), false);
  });

  it("passes a request with neither header (not from a browser)", () => {
    assert.equal(sameOriginRequest(post({}), allowed), true);
  });

  it("allows the configured origins, else the request URL's own, never X-Forwarded-Host", () => {
    const request = new Request("http://internal:8080/x", { headers: { "x-forwarded-host": "evil.com" } });
    assert.deepEqual(allowedOrigins(request, undefined), ["http://internal:8080"]);
    assert.deepEqual(allowedOrigins(request, ["https://app.example.com"]), ["https://app.example.com"]);
  });
});
