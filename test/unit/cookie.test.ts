import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { challengeTtl } from "../../src/limits.ts";
import { resolveConfig } from "../../src/options.ts";
import { createCookies, isSecure, randomToken, readCookie } from "../../src/sessions/cookie.ts";

const config = resolveConfig({
  userPoolId: "eu-west-1_Cookies",
  clientId: "c",
  secret: "cookie-secret-0123456789-abcdefghijklmn",
  session: { maxAge: 7200, idleTimeout: 600 },
});
const cookies = createCookies(config);
const withCookie = (cookie: string, url = "http://localhost/") => new Request(url, { headers: { cookie } });

describe("cookies (S3, S7)", () => {
  it("names every cookie from the options, with __Host- on https", () => {
    assert.equal(cookies.name("session", false), "warrant");
    assert.equal(cookies.name("session", true), "__Host-warrant");
    assert.equal(cookies.name("csrf", true), "__Host-warrant_csrf");
    assert.equal(cookies.name("challenge", false), "warrant_challenge");
  });

  it("writes HttpOnly, SameSite=Lax, Path=/, no Domain; Secure on https; lifetimes per cookie", () => {
    const token = randomToken();
    assert.equal(
      cookies.issue("session", token, true),
      `__Host-warrant=${token}; Path=/; Max-Age=7200; HttpOnly; SameSite=Lax; Secure`,
    );
    assert.equal(
      cookies.issue("csrf", token, false),
      `warrant_csrf=${token}; Path=/; HttpOnly; SameSite=Lax`,
    );
    assert.equal(
      cookies.issue("challenge", token, false),
      `warrant_challenge=${token}; Path=/; Max-Age=${challengeTtl}; HttpOnly; SameSite=Lax`,
    );
    assert.equal(
      cookies.expire("session", true),
      "__Host-warrant=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure",
    );
    for (const kind of ["session", "csrf", "challenge"] as const)
      assert.doesNotMatch(cookies.issue(kind, token, true), /Domain/i);
  });

  it("reads only values of the token's form: malformed, oversized or foreign values are absent", () => {
    const token = randomToken();
    assert.equal(cookies.read(withCookie(`a=1; warrant=${token}; b=2`), "session", false), token);
    assert.equal(cookies.read(withCookie("warrant=../x"), "session", false), null);
    assert.equal(cookies.read(withCookie(`warrant=${token}x`), "session", false), null);
    assert.equal(cookies.read(withCookie(`warrant=${token}; x=${"y".repeat(9000)}`), "session", false), null);
    // The https name is not the http name: a cookie set without the prefix is not read on https.
    assert.equal(cookies.read(withCookie(`warrant=${token}`), "session", true), null);
    assert.equal(cookies.has(withCookie("warrant_challenge=junk"), "challenge", false), true);
    assert.equal(cookies.has(withCookie("other=1"), "challenge", false), false);
  });

  it("parses names exactly, first match wins", () => {
    assert.equal(readCookie(withCookie("xwarrant=1; warrant=2"), "warrant"), "2");
    assert.equal(readCookie(withCookie(" warrant = 3 ; warrant=4"), "warrant"), "3");
    assert.equal(readCookie(new Request("http://localhost/"), "warrant"), null);
  });

  it("random tokens are 32 bytes of base64url and unique (S1)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(randomToken());
    assert.equal(seen.size, 2000);
    for (const t of seen) assert.match(t, /^[A-Za-z0-9_-]{43}$/);
  });

  it("https comes from the configured origins when set, else from the request URL", () => {
    assert.equal(isSecure(new Request("http://internal/"), ["https://app.example.com"]), true);
    assert.equal(isSecure(new Request("https://app.example.com/"), undefined), true);
    assert.equal(isSecure(new Request("http://localhost/"), undefined), false);
  });
});
