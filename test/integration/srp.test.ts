/**
 * SRP login (USER_SRP_AUTH → PASSWORD_VERIFIER) through the test SRP responder in front of cognito-local.
 * AWS's own client (amazon-cognito-identity-js) logging in first shows that the responder speaks
 * Cognito's SRP; then our client logs in through the same responder, with and without a client secret.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, test } from "node:test";
import {
  type CognitoIdentityProviderClient,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { AuthenticationDetails, CognitoUser, CognitoUserPool } from "amazon-cognito-identity-js";
import { createSrpClient } from "../../src/cognito/srp.ts";
import { type CognitoFront, startCognitoFront } from "../support/cognito-front.ts";
import { adminClient, createTestPool, type TestPool } from "../support/cognito-local.ts";
import { attachSrpResponder, type SrpResponder } from "../support/srp-responder.ts";

const email = "srp-user@example.com";
const password = "Srp-Passw0rd!";

let pool: TestPool;
let front: CognitoFront;
let responder: SrpResponder;
let sdk: CognitoIdentityProviderClient;
let sub: string;

before(async () => {
  pool = await createTestPool();
  front = await startCognitoFront(pool.endpoint);
  front.addClientSecret(pool.secretClientId, pool.clientSecret);
  responder = attachSrpResponder(front, { userPoolId: pool.userPoolId });
  sub = await pool.createUser({ email, password });
  sdk = adminClient(front.endpoint);
});

after(async () => {
  responder.detach();
  await front.close();
});

const secretHash = (username: string, clientId: string, secret: string) =>
  createHmac("sha256", secret).update(`${username}${clientId}`).digest("base64");

const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString("utf8"));

/** Logs in with amazon-cognito-identity-js (it has no client-secret support, so the plain client). */
function awsLogin(username: string, pw: string): Promise<{ idToken: string; accessToken: string }> {
  const userPool = new CognitoUserPool({
    UserPoolId: pool.userPoolId,
    ClientId: pool.clientId,
    endpoint: front.endpoint,
  });
  const user = new CognitoUser({ Username: username, Pool: userPool });
  return new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: pw }), {
      onSuccess: (session) =>
        resolve({
          idToken: session.getIdToken().getJwtToken(),
          accessToken: session.getAccessToken().getJwtToken(),
        }),
      onFailure: reject,
    }),
  );
}

/** Logs in with our SRP client over the AWS SDK, as the library will. */
async function ourLogin(input: {
  username: string;
  pw: string;
  clientId: string;
  secret?: string;
  now?: Date;
}) {
  const { username, pw, clientId, secret } = input;
  const srp = createSrpClient();
  const init = await sdk.send(
    new InitiateAuthCommand({
      AuthFlow: "USER_SRP_AUTH",
      ClientId: clientId,
      AuthParameters: {
        USERNAME: username,
        SRP_A: srp.srpA,
        ...(secret ? { SECRET_HASH: secretHash(username, clientId, secret) } : {}),
      },
    }),
  );
  assert.equal(init.ChallengeName, "PASSWORD_VERIFIER");
  const p = init.ChallengeParameters!;
  const userIdForSrp = p.USER_ID_FOR_SRP!;
  const proof = await srp.respond({
    poolName: pool.userPoolId.split("_")[1]!,
    userIdForSrp,
    password: pw,
    srpB: p.SRP_B!,
    salt: p.SALT!,
    secretBlock: p.SECRET_BLOCK!,
    ...(input.now ? { now: input.now } : {}),
  });
  return await sdk.send(
    new RespondToAuthChallengeCommand({
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: clientId,
      ...(init.Session ? { Session: init.Session } : {}),
      ChallengeResponses: {
        USERNAME: userIdForSrp,
        ...proof,
        // Cognito hashes the name sent in this step, which is USER_ID_FOR_SRP, not what the user typed.
        ...(secret ? { SECRET_HASH: secretHash(userIdForSrp, clientId, secret) } : {}),
      },
    }),
  );
}

describe("SRP responder", () => {
  test("registering by email finds the Cognito username with AdminGetUser", async () => {
    assert.equal(await responder.addUser(email, password), sub);
  });

  test("amazon-cognito-identity-js logs in through it and gets cognito-local's tokens", async () => {
    const tokens = await awsLogin(email, password);
    assert.equal(claims(tokens.idToken).sub, sub);
    assert.equal(claims(tokens.idToken).email, email);
    const me = await sdk.send(new GetUserCommand({ AccessToken: tokens.accessToken }));
    assert.equal(me.Username, sub);
  });

  test("amazon-cognito-identity-js with a wrong password is refused", async () => {
    const before = responder.stats.failed;
    await assert.rejects(awsLogin(email, "Wrong-Passw0rd!"), (e: any) => {
      assert.equal(e.code, "NotAuthorizedException");
      assert.equal(e.message, "Incorrect username or password.");
      return true;
    });
    assert.equal(responder.stats.failed, before + 1);
  });
});

describe("createSrpClient through the responder", () => {
  test("logs in with an app client without a secret", async () => {
    const out = await ourLogin({ username: email, pw: password, clientId: pool.clientId });
    const result = out.AuthenticationResult!;
    assert.ok(result.RefreshToken);
    const me = await sdk.send(new GetUserCommand({ AccessToken: result.AccessToken! }));
    assert.equal(me.Username, sub);
    assert.equal(claims(result.IdToken!).aud, pool.clientId);
  });

  test("logs in with an app client with a secret (SECRET_HASH on both steps)", async () => {
    const out = await ourLogin({
      username: email,
      pw: password,
      clientId: pool.secretClientId,
      secret: pool.clientSecret,
    });
    const result = out.AuthenticationResult!;
    assert.equal(claims(result.IdToken!).aud, pool.secretClientId);
    const me = await sdk.send(new GetUserCommand({ AccessToken: result.AccessToken! }));
    assert.equal(me.Username, sub);
  });

  test("a secret client without the right SECRET_HASH is refused before SRP starts", async () => {
    await assert.rejects(
      ourLogin({ username: email, pw: password, clientId: pool.secretClientId, secret: "not-the-secret" }),
      { name: "NotAuthorizedException" },
    );
  });

  test("logs in with the Cognito username instead of the email", async () => {
    const out = await ourLogin({ username: sub, pw: password, clientId: pool.clientId });
    assert.ok(out.AuthenticationResult?.AccessToken);
  });

  test("a wrong password → NotAuthorizedException, Incorrect username or password.", async () => {
    await assert.rejects(ourLogin({ username: email, pw: `${password}x`, clientId: pool.clientId }), {
      name: "NotAuthorizedException",
      message: "Incorrect username or password.",
    });
  });

  test("an unknown user gets a challenge, then the same refusal as a wrong password", async () => {
    await assert.rejects(
      ourLogin({ username: "nobody@example.com", pw: password, clientId: pool.clientId }),
      {
        name: "NotAuthorizedException",
        message: "Incorrect username or password.",
      },
    );
  });

  test("a timestamp far from the server's clock is refused", async () => {
    await assert.rejects(
      ourLogin({
        username: email,
        pw: password,
        clientId: pool.clientId,
        now: new Date(Date.now() - 3_600_000),
      }),
      { name: "NotAuthorizedException" },
    );
  });

  test("a replayed proof is refused (the secret block is single use)", async () => {
    const srp = createSrpClient();
    const init = await sdk.send(
      new InitiateAuthCommand({
        AuthFlow: "USER_SRP_AUTH",
        ClientId: pool.clientId,
        AuthParameters: { USERNAME: email, SRP_A: srp.srpA },
      }),
    );
    const p = init.ChallengeParameters!;
    const proof = await srp.respond({
      poolName: pool.userPoolId.split("_")[1]!,
      userIdForSrp: p.USER_ID_FOR_SRP!,
      password,
      srpB: p.SRP_B!,
      salt: p.SALT!,
      secretBlock: p.SECRET_BLOCK!,
    });
    const answer = new RespondToAuthChallengeCommand({
      ChallengeName: "PASSWORD_VERIFIER",
      ClientId: pool.clientId,
      ChallengeResponses: { USERNAME: p.USER_ID_FOR_SRP!, ...proof },
    });
    assert.ok((await sdk.send(answer)).AuthenticationResult?.AccessToken);
    await assert.rejects(sdk.send(answer), { name: "NotAuthorizedException" });
  });
});
