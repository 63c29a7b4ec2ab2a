/**
 * SMS_MFA against a cognito-local of this file's own.
 *
 * cognito-local sends SMS_MFA only to users whose stored record has an SMS entry in `MFAOptions`, and
 * no API it implements writes that field (AdminSetUserSettings is not implemented; SetUserMFAPreference
 * only writes UserMFASettingList, which then fails with "SMS_MFA without SMS MFAOption"). So this file
 * starts its own instance, creates the user through the API, stops it, adds the MFAOptions entry to the
 * pool's data file, and starts it again on the same folder. cognito-local "delivers" the code by
 * printing it; started with CODE set, it sends that code instead of a random one, which is how the
 * test knows it. Everything else is cognito-local's own SMS_MFA path.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { PublicChallenge, RespondResult } from "../../src/mod.ts";
import { startCognitoFront } from "../support/cognito-front.ts";
import {
  type CognitoLocal,
  createTestPool,
  startCognitoLocal,
  type TestPool,
} from "../support/cognito-local.ts";
import { type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

const SMS_CODE = "246810";

function challengeOf(result: RespondResult): PublicChallenge {
  assert.ok(!result.ok && "challenge" in result, `expected a challenge, got ${JSON.stringify(result)}`);
  return result.challenge;
}

describe("SMS_MFA (cognito-local of its own, seeded MFAOptions, CODE fixed)", () => {
  const dir = mkdtempSync(join(tmpdir(), "warrant-cognito-sms-"));
  let local: CognitoLocal;
  let env: Env;
  let login: string;

  before(async () => {
    const first = await startCognitoLocal({ dir, env: { CODE: SMS_CODE } });
    let pool: TestPool;
    try {
      pool = await createTestPool(first.endpoint);
      login = email("sms");
      const username = await pool.createUser({
        email: login,
        password: PASSWORD,
        attributes: { phone_number: "+15555550100" },
      });
      await first.stop();
      const file = join(dir, ".cognito", "db", `${pool.userPoolId}.json`);
      const data = JSON.parse(readFileSync(file, "utf8"));
      data.Users[username].MFAOptions = [{ DeliveryMedium: "SMS", AttributeName: "phone_number" }];
      writeFileSync(file, JSON.stringify(data, null, 2));
    } catch (error) {
      await first.stop();
      throw error;
    }
    local = await startCognitoLocal({ dir, env: { CODE: SMS_CODE } });
    pool = { ...pool, endpoint: local.endpoint };
    const front = await startCognitoFront(local.endpoint);
    env = { pool, front, close: () => front.close() };
  });
  after(async () => {
    await env?.close();
    await local?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("asks for the texted code, refuses a wrong one, logs in with the right one", async () => {
    const warrant = warrantFor(env);
    const challenge = challengeOf(await warrant.authenticate(login, PASSWORD));
    assert.equal(challenge.name, "SMS_MFA");
    assert.equal(challenge.parameters.CODE_DELIVERY_DELIVERY_MEDIUM, "SMS");
    env.front.resetCalls();
    const malformed = await warrant.respond(challenge.id, { code: "24681" });
    assert.equal(!malformed.ok && malformed.reason, "invalid_answer");
    assert.equal(env.front.calls(), 0);
    const wrong = await warrant.respond(challenge.id, { code: "135790" });
    assert.equal(!wrong.ok && wrong.reason, "invalid_code");
    // cognito-local keeps the sent code after a mismatch, as Cognito keeps the session for retries.
    const done = await warrant.respond(challengeOf(wrong).id, { code: SMS_CODE });
    assert.equal(done.ok, true);
    assert.equal(
      env.front.requests("RespondToAuthChallenge").at(-1).ChallengeResponses.SMS_MFA_CODE,
      SMS_CODE,
    );
  });
});
