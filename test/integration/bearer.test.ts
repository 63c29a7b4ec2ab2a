/**
 * Bearer tokens for API callers (SECURITY.md T1–T3), against cognito-local's real tokens and keys.
 * Tokens with one bad claim are signed with cognito-local's own private key (it ships in the package),
 * so only the claim under test is wrong.
 */
import assert from "node:assert/strict";
import { createHmac, createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const localKey = createPrivateKey({
  key: JSON.parse(
    readFileSync(
      fileURLToPath(
        new URL("../../node_modules/cognito-local/lib/keys/cognitoLocal.private.json", import.meta.url),
      ),
      "utf8",
    ),
  ).jwk,
  format: "jwk",
});
const rs256 = (header: object, payload: object, key = localKey) => {
  const data = `${b64(header)}.${b64(payload)}`;
  return `${data}.${sign("sha256", Buffer.from(data), key).toString("base64url")}`;
};

describe("bearer tokens", () => {
  let env: Env;
  let accessToken: string;
  let idToken: string;
  let claims: Record<string, unknown>;
  let username: string;
  before(async () => {
    env = await createEnv();
    const name = email("bearer");
    username = await env.pool.createUser({ email: name, password: PASSWORD, groups: ["readers"] });
    const result = await warrantFor(env).authenticate(name, PASSWORD);
    assert.ok(result.ok);
    accessToken = result.tokens.accessToken;
    idToken = result.tokens.idToken;
    claims = JSON.parse(Buffer.from(accessToken.split(".")[1]!, "base64url").toString());
  });
  after(() => env.close());

  // The front stands between the library and cognito-local, so the tokens' issuer is cognito-local's URL.
  const bearerWarrant = () => warrantFor(env, { issuer: `${env.pool.endpoint}/${env.pool.userPoolId}` });
  const call = (
    warrant: ReturnType<typeof warrantFor>,
    token?: string,
    options?: Parameters<ReturnType<typeof warrantFor>["bearer"]>[1],
  ) =>
    warrant.bearer(
      (_request, { username, groups }) => Response.json({ username, groups }),
      options,
    )(
      new Request("http://localhost/api", {
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      }),
    );

  it("lets a valid access token through, acting for the user in the token", async () => {
    const res = await call(bearerWarrant(), accessToken);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { username, groups: ["readers"] });
    const verified = await bearerWarrant().verifyToken(idToken, "id");
    assert.equal(verified.ok, true);
  });

  it("answers a missing or malformed header with 401 and an RFC 6750 challenge", async () => {
    const warrant = bearerWarrant();
    const missing = await call(warrant);
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), 'Bearer realm="warrant"');
    const res = await warrant.bearer(() => new Response("no"))(
      new Request("http://localhost/", { headers: { authorization: "Basic abc" } }),
    );
    assert.equal(res.status, 401);
  });

  it("T1: refuses alg none, HS256 signed with the public key, and never follows jku", async () => {
    const warrant = bearerWarrant();
    const none = `${b64({ alg: "none", kid: "CognitoLocal" })}.${b64(claims)}.`;
    assert.equal((await call(warrant, none)).status, 401);
    const jwks = await (
      await fetch(`${env.pool.endpoint}/${env.pool.userPoolId}/.well-known/jwks.json`)
    ).json();
    const publicMaterial = JSON.stringify(jwks);
    const hsData = `${b64({ alg: "HS256", kid: "CognitoLocal" })}.${b64(claims)}`;
    const hs = `${hsData}.${createHmac("sha256", publicMaterial).update(hsData).digest("base64url")}`;
    assert.equal((await call(warrant, hs)).status, 401);

    let attackerHits = 0;
    const attacker = createServer((_req, res) => {
      attackerHits++;
      res.end("{}");
    });
    await new Promise<void>((r) => attacker.listen(0, "127.0.0.1", r));
    const address = attacker.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const forged = rs256(
        {
          alg: "RS256",
          kid: "attacker",
          jku: `http://127.0.0.1:${port}/jwks.json`,
          x5u: `http://127.0.0.1:${port}/x5u`,
        },
        claims,
        privateKey,
      );
      assert.equal((await call(warrant, forged)).status, 401);
      const forgedKnownKid = rs256(
        { alg: "RS256", kid: "CognitoLocal", jku: `http://127.0.0.1:${port}/jwks.json` },
        claims,
        privateKey,
      );
      assert.equal((await call(warrant, forgedKnownKid)).status, 401);
      assert.equal(attackerHits, 0, "no outbound fetch to a URL from the token");
    } finally {
      attacker.close();
    }
  });

  it("T2: refuses a token with any one bad claim (signed with the pool's real key)", async () => {
    const warrant = bearerWarrant();
    const header = { alg: "RS256", kid: "CognitoLocal" };
    const now = Math.floor(Date.now() / 1000);
    const good = { ...claims, iat: now, exp: now + 600 };
    assert.equal((await call(warrant, rs256(header, good))).status, 200, "the control token passes");
    const bad: [string, object][] = [
      ["another issuer", { ...good, iss: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other" }],
      ["an ID token where an access token is required", { ...good, token_use: "id" }],
      ["another app client", { ...good, client_id: "someone-elses-client" }],
      ["expired beyond the skew", { ...good, exp: now - 120 }],
      ["not valid yet", { ...good, nbf: now + 300 }],
      // Regression (issue 10 item 15): a token without exp was accepted, and would never expire.
      ["without exp", Object.fromEntries(Object.entries(good).filter(([k]) => k !== "exp"))],
    ];
    for (const [label, payload] of bad) {
      assert.equal((await call(warrant, rs256(header, payload))).status, 401, label);
    }
    assert.equal((await call(warrant, idToken)).status, 401, "a real ID token on an access-token route");
  });

  it("T3: 1,000 tokens with random kids cause at most one JWKS fetch; cached keys survive an outage", async () => {
    const warrant = bearerWarrant();
    assert.equal((await call(warrant, accessToken)).status, 200);
    env.front.resetCalls();
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const tokens = Array.from({ length: 1000 }, (_, i) =>
      rs256({ alg: "RS256", kid: `random-${i}-${Math.random()}` }, claims, privateKey),
    );
    const statuses = await Promise.all(tokens.map((t) => call(warrant, t).then((r) => r.status)));
    assert.ok(statuses.every((s) => s === 401));
    assert.ok(env.front.calls("jwks") <= 1, `JWKS fetched ${env.front.calls("jwks")} times`);
    env.front.fakeFault("jwks", { kind: "error", status: 503, type: "ServiceUnavailable" }, 100);
    assert.equal((await call(warrant, accessToken)).status, 200, "the cached key still verifies");
    env.front.clearFaults();
  });

  it("answers 503, not 401, when the pool's keys cannot be fetched at all (FAKE JWKS outage)", async () => {
    const warrant = bearerWarrant();
    env.front.fakeFault("jwks", { kind: "error", status: 503, type: "ServiceUnavailable" }, 10);
    const res = await call(warrant, accessToken);
    assert.equal(res.status, 503);
    assert.ok(res.headers.get("retry-after"));
    env.front.clearFaults();
  });

  it("requires a group when asked (403 otherwise)", async () => {
    const warrant = bearerWarrant();
    assert.equal((await call(warrant, accessToken, { groups: ["readers"] })).status, 200);
    assert.equal((await call(warrant, accessToken, { groups: ["admin"] })).status, 403);
  });
});
