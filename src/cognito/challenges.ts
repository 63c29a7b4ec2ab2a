/**
 * @module
 * The Cognito calls that answer a login challenge (RespondToAuthChallenge, and VerifySoftwareToken for
 * TOTP enrolment) and start TOTP enrolment (AssociateSoftwareToken), and what Cognito's reply means.
 * Which challenges exist and how an answer is checked before it is sent live in `login/answers.ts`.
 *
 * The Cognito `Session` of a challenge only ever lives in storage (SECURITY.md S6); these functions take
 * it from the pending record the caller loaded and hand back the next one.
 */
import type {
  AssociateSoftwareTokenResponse,
  ChallengeNameType,
  RespondToAuthChallengeResponse,
  VerifySoftwareTokenResponse,
} from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import { type LoginStep, type PendingChallenge, stepOf } from "./auth.ts";
import type { Cognito } from "./client.ts";
import { classify, cognitoName, toWarrantError } from "./errors.ts";
import {
  AssociateSoftwareTokenCommand,
  RespondToAuthChallengeCommand,
  VerifySoftwareTokenCommand,
} from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";

/** A validated answer, ready to send. */
export type ValidAnswer =
  | { kind: "responses"; responses: Record<string, string> }
  | { kind: "totp_setup"; code: string };

/** What an answer needs of its pending challenge. */
export interface AnswerTarget extends PendingChallenge {
  /** DEVICE_KEY to send with the answer, when the login had one. */
  deviceKey?: string;
}

/** What Cognito made of an answer. */
export type AnswerOutcome =
  /** Tokens, or the next challenge. */
  | { kind: "step"; step: LoginStep }
  /** A wrong code or a refused new password; the same Cognito session may be tried again. */
  | { kind: "retry"; reason: "invalid_code" | "password_rejected" }
  /** Cognito no longer accepts the challenge session (expired, used up, too many wrong codes). */
  | { kind: "expired" };

const wrongCodeNames = new Set([
  "CodeMismatchException",
  // A TOTP code that was already used once: the next code will do.
  "ExpiredCodeException",
  // VerifySoftwareToken's answer to a wrong code during enrolment.
  "EnableSoftwareTokenMFAException",
]);

/** Sorts a Cognito error on an answer into an outcome, or throws it as a `WarrantError`. */
function outcomeOfError(error: unknown, challenge: AnswerTarget): AnswerOutcome {
  const name = cognitoName(error);
  if (name && wrongCodeNames.has(name)) return { kind: "retry", reason: "invalid_code" };
  if (name === "InvalidPasswordException" && challenge.name === "NEW_PASSWORD_REQUIRED")
    return { kind: "retry", reason: "password_rejected" };
  if (classify(error) === "credentials") return { kind: "expired" };
  throw toWarrantError(error, "the challenge answer");
}

/**
 * Sends a validated answer to Cognito, once (challenge answers are never retried, SECURITY.md E5),
 * with SECRET_HASH and DEVICE_KEY when they apply.
 */
export async function answerChallenge(
  cognito: Cognito,
  config: WarrantConfig,
  challenge: AnswerTarget,
  answer: ValidAnswer,
): Promise<AnswerOutcome> {
  let session = challenge.session;
  let responses: Record<string, string>;
  try {
    if (answer.kind === "totp_setup") {
      const verified = await cognito.send<VerifySoftwareTokenResponse>(
        new VerifySoftwareTokenCommand({ Session: session, UserCode: answer.code }),
        { during: "the challenge answer", raw: true },
      );
      if (verified.Status !== "SUCCESS") return { kind: "retry", reason: "invalid_code" };
      session = verified.Session ?? session;
      responses = {};
    } else {
      responses = answer.responses;
    }
    const reply = await cognito.send<RespondToAuthChallengeResponse>(
      new RespondToAuthChallengeCommand({
        ChallengeName: challenge.name as ChallengeNameType,
        ClientId: config.clientId,
        Session: session,
        ChallengeResponses: withSecretHash(config, challenge.username, {
          ...responses,
          USERNAME: challenge.username,
          ...(challenge.deviceKey ? { DEVICE_KEY: challenge.deviceKey } : {}),
        }),
      }),
      { during: "the challenge answer", raw: true },
    );
    return { kind: "step", step: stepOf(reply, challenge.username, config.now()) };
  } catch (error) {
    if (error instanceof WarrantError) throw error;
    return outcomeOfError(error, challenge);
  }
}

/**
 * Starts TOTP enrolment for an MFA_SETUP challenge: AssociateSoftwareToken with the challenge's
 * session gives the secret and a new session, which replaces the old one.
 */
export async function associateSoftwareToken(
  cognito: Cognito,
  session: string,
): Promise<{ secret: string; session: string }> {
  const out = await cognito.send<AssociateSoftwareTokenResponse>(
    new AssociateSoftwareTokenCommand({ Session: session }),
    { during: "the MFA setup" },
  );
  if (!out.SecretCode || !out.Session) {
    throw new WarrantError("cognito_rejected", "Cognito answered AssociateSoftwareToken without a secret");
  }
  return { secret: out.SecretCode, session: out.Session };
}
