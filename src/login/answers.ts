/**
 * @module
 * The login challenges the library answers, as a model: their names, how long and how often one may be
 * answered, and how an answer is checked before Cognito sees it (a malformed answer never costs an
 * attempt). The Cognito calls that send an answer live in `cognito/challenges.ts`.
 */
import * as v from "valibot";
import type { PendingChallenge, RememberedDevice } from "../cognito/auth.ts";
import type { AnswerTarget, ValidAnswer } from "../cognito/challenges.ts";
import { limits } from "../limits.ts";

/** The challenges `warrant.respond` can answer; any other one makes the login throw `unsupported_challenge`. */
export const challengeNames = [
  "NEW_PASSWORD_REQUIRED",
  "SMS_MFA",
  "SOFTWARE_TOKEN_MFA",
  "EMAIL_OTP",
  "SELECT_MFA_TYPE",
  "MFA_SETUP",
  "SELECT_CHALLENGE",
  "WEB_AUTHN",
  "SMS_OTP",
] as const;

export { challengeAttempts, challengeTtl } from "../limits.ts";

/** One of {@link challengeNames}. */
export type ChallengeName = (typeof challengeNames)[number];

/**
 * An answer to a pending challenge. Which shape fits depends on the challenge:
 * - SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, MFA_SETUP: `{ code }` (digits only);
 * - NEW_PASSWORD_REQUIRED: `{ newPassword, attributes? }`, where `attributes` holds exactly the
 *   Cognito attributes named in the challenge's `requiredAttributes` (e.g. `{ given_name: "Ada" }`);
 * - SELECT_MFA_TYPE: `{ mfaType }`, one of the challenge's `MFAS_CAN_CHOOSE`;
 * - SELECT_CHALLENGE (USER_AUTH): `{ choice }`, one of the challenge's `availableChallenges`, with
 *   `password` when the choice is PASSWORD or PASSWORD_SRP;
 * - WEB_AUTHN: `{ credential }`, the browser's assertion as JSON text (`JSON.stringify(credential)` of
 *   what `navigator.credentials.get` returned), which Cognito verifies;
 * - EMAIL_OTP, SMS_OTP as the first factor of USER_AUTH also take `{ anotherWay: true }` (so does
 *   WEB_AUTHN): the sign-in starts again for the same username with the factors Cognito offers.
 *
 * @example
 * ```ts
 * await warrant.respond(challenge.id, { code: "123456" });
 * await warrant.respond(challenge.id, { newPassword: "n3w-Secret!", attributes: { given_name: "Ada" } });
 * await warrant.respond(challenge.id, { mfaType: "SOFTWARE_TOKEN_MFA" });
 * ```
 */
export type ChallengeAnswer =
  | { code: string }
  | { newPassword: string; attributes?: Record<string, string> }
  | { mfaType: string }
  | { choice: string; password?: string }
  | { credential: string }
  | { anotherWay: true };

/** TOTP enrolment data of an MFA_SETUP challenge: show the URI as a QR code and the secret to type. */
export interface TotpSetup {
  /** Base32 secret, as Cognito issued it. */
  secret: string;
  /** `otpauth://totp/<issuer>:<account>?secret=...&issuer=...` for authenticator apps. */
  uri: string;
}

/** A pending challenge as kept in storage under `challenges:<sha-256 of its id>`. */
export interface StoredChallenge extends AnswerTarget {
  /** When the login started this challenge (ms, `config.now`); the TTL runs from here. */
  createdAt: number;
  /** Wrong answers so far (as this instance last counted them; the lineage counter decides). */
  attempts: number;
  /**
   * The login this challenge belongs to: one random id for the chain of challenges that follow one
   * password (or first-factor) login, and the step in that chain. Answers are counted per lineage and
   * step in the shared counters, so the retries of one challenge never add up to more than
   * `challengeAttempts`, whichever instance gets them.
   */
  lineage?: string;
  step?: number;
  /** What the person typed at login (the TOTP account label); never sent to Cognito from here. */
  login?: string;
  /** MFA_SETUP only: the secret Cognito issued for this enrolment. */
  totp?: TotpSetup;
  /** A first factor of USER_AUTH (not an MFA step): `{ anotherWay: true }` may start the choice again. */
  firstFactor?: true;
  /** The remembered device of the login, for a DEVICE_SRP_AUTH that follows (sealed with the record). */
  device?: RememberedDevice;
}

/** Longest WebAuthn assertion passed to Cognito, as JSON text. */
const maxCredential = 8192;

/** Longest new password passed to Cognito; longer is refused before any call. */
const maxPassword = limits.password;
/** Longest attribute value Cognito stores. */
const maxAttribute = 2048;

const totpCode = v.pipe(v.string(), v.regex(/^\d{6}$/, "code must be 6 digits"));
// TOTP codes are 6 digits by RFC 6238 as Cognito uses it; the length of message codes is Cognito's
// choice and not part of its API, so SMS and email codes may be 6 to 8 digits.
const messageCode = v.pipe(v.string(), v.regex(/^\d{6,8}$/, "code must be 6 to 8 digits"));
const codeAnswer = (code: v.GenericSchema<string, string>) => v.strictObject({ code });

/** Reads a challenge parameter that Cognito sends as a JSON array of strings. */
export function listParameter(parameters: Record<string, string>, name: string): string[] {
  try {
    const value = JSON.parse(parameters[name] ?? "[]");
    return Array.isArray(value) ? value.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** The Cognito attribute names NEW_PASSWORD_REQUIRED asks for (`userAttributes.` prefix removed). */
export function requiredAttributes(challenge: Pick<PendingChallenge, "parameters">): string[] {
  return listParameter(challenge.parameters, "requiredAttributes").map((a) =>
    a.startsWith("userAttributes.") ? a.slice("userAttributes.".length) : a,
  );
}

/** The MFA types SELECT_MFA_TYPE offers. */
export function mfaChoices(challenge: Pick<PendingChallenge, "parameters">): string[] {
  return listParameter(challenge.parameters, "MFAS_CAN_CHOOSE");
}

const issuesOf = (issues: readonly v.BaseIssue<unknown>[]): string[] =>
  issues.map((issue) => {
    const path = issue.path?.map((p) => String(p.key)).join(".");
    // valibot's own messages for a wrong type quote the input; ours name the field only.
    return issue.type === "regex" || issue.type === "check" || issue.type === "max_length"
      ? issue.message
      : `${path || "answer"} is missing or not valid`;
  });

/**
 * Checks an answer against the challenge it is for, before any Cognito call: a malformed answer never
 * costs an attempt at Cognito. Passwords pass through untouched (no trim).
 */
export function validateAnswer(
  challenge: StoredChallenge,
  answer: unknown,
): { ok: true; answer: ValidAnswer } | { ok: false; issues: string[] } {
  const name = challenge.name as ChallengeName;
  const check = <T>(schema: v.GenericSchema<unknown, T>) => v.safeParse(schema, answer);
  switch (name) {
    case "SOFTWARE_TOKEN_MFA":
    case "SMS_MFA":
    case "EMAIL_OTP":
    case "SMS_OTP": {
      const result = check(codeAnswer(name === "SOFTWARE_TOKEN_MFA" ? totpCode : messageCode));
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      const field = `${name}_CODE`;
      return { ok: true, answer: { kind: "responses", responses: { [field]: result.output.code } } };
    }
    case "SELECT_CHALLENGE": {
      const choices = challenge.availableChallenges ?? [];
      const result = check(
        v.strictObject({
          choice: v.pipe(
            v.string(),
            v.check((c) => choices.includes(c), `choice must be one of ${choices.join(", ")}`),
          ),
          password: v.optional(
            v.pipe(
              v.string(),
              v.minLength(1),
              v.maxLength(maxPassword, `password must be at most ${maxPassword} characters`),
            ),
          ),
        }),
      );
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      const { choice, password } = result.output;
      const withPassword = choice === "PASSWORD" || choice === "PASSWORD_SRP";
      if (withPassword !== (password !== undefined))
        return { ok: false, issues: [withPassword ? "password is required" : "password is not asked for"] };
      if (choice === "PASSWORD_SRP") return { ok: true, answer: { kind: "srp", password: password! } };
      const responses: Record<string, string> = { ANSWER: choice };
      if (password !== undefined) responses.PASSWORD = password;
      return { ok: true, answer: { kind: "responses", responses } };
    }
    case "WEB_AUTHN": {
      const result = check(
        v.strictObject({
          credential: v.pipe(
            v.string(),
            v.maxLength(maxCredential, `credential must be at most ${maxCredential} characters`),
            v.check(isAssertion, "credential must be a public-key credential as JSON"),
          ),
        }),
      );
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      return { ok: true, answer: { kind: "responses", responses: { CREDENTIAL: result.output.credential } } };
    }
    case "MFA_SETUP": {
      const result = check(codeAnswer(totpCode));
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      return { ok: true, answer: { kind: "totp_setup", code: result.output.code } };
    }
    case "SELECT_MFA_TYPE": {
      const choices = mfaChoices(challenge);
      const result = check(
        v.strictObject({
          mfaType: v.pipe(
            v.string(),
            v.check((t) => choices.includes(t), `mfaType must be one of ${choices.join(", ")}`),
          ),
        }),
      );
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      return { ok: true, answer: { kind: "responses", responses: { ANSWER: result.output.mfaType } } };
    }
    case "NEW_PASSWORD_REQUIRED": {
      const required = requiredAttributes(challenge);
      const value = v.pipe(
        v.string(),
        v.minLength(1),
        v.maxLength(maxAttribute, `attribute values must be at most ${maxAttribute} characters`),
      );
      const result = check(
        v.strictObject({
          newPassword: v.pipe(
            v.string(),
            v.minLength(1),
            v.maxLength(maxPassword, `newPassword must be at most ${maxPassword} characters`),
          ),
          // Exactly the attributes Cognito asked for: an answer is no place to change other attributes.
          attributes: v.optional(v.strictObject(Object.fromEntries(required.map((a) => [a, value])))),
        }),
      );
      if (!result.success) return { ok: false, issues: issuesOf(result.issues) };
      const given = (result.output.attributes ?? {}) as Record<string, string>;
      const missing = required.filter((a) => !(a in given));
      if (missing.length > 0) return { ok: false, issues: missing.map((a) => `attributes.${a} is required`) };
      const responses: Record<string, string> = { NEW_PASSWORD: result.output.newPassword };
      for (const [a, text] of Object.entries(given)) responses[`userAttributes.${a}`] = text;
      return { ok: true, answer: { kind: "responses", responses } };
    }
    default:
      return { ok: false, issues: ["this challenge cannot be answered"] };
  }
}

/** The shape of a WebAuthn AuthenticationResponseJSON, checked before Cognito sees it (Cognito checks the rest). */
function isAssertion(text: string): boolean {
  try {
    const c = JSON.parse(text) as Record<string, unknown> | null;
    const response = c?.response as Record<string, unknown> | undefined;
    return (
      typeof c === "object" &&
      c !== null &&
      c.type === "public-key" &&
      typeof c.id === "string" &&
      typeof c.rawId === "string" &&
      typeof response === "object" &&
      response !== null &&
      typeof response.clientDataJSON === "string" &&
      typeof response.authenticatorData === "string" &&
      typeof response.signature === "string"
    );
  } catch {
    return false;
  }
}

/**
 * The `otpauth://` URI authenticator apps read (Google Authenticator's Key Uri Format): the issuer
 * both as the label prefix and as a parameter, SHA-1, 6 digits, 30 s, as Cognito's TOTP is.
 *
 * @example
 * ```ts
 * totpUri("Example", "alice@example.com", "JBSWY3DPEHPK3PXP")
 * // "otpauth://totp/Example:alice%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30"
 * ```
 */
export function totpUri(issuer: string, account: string, secret: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = new URLSearchParams({ secret, issuer, algorithm: "SHA1", digits: "6", period: "30" });
  return `otpauth://totp/${label}?${query.toString().replaceAll("+", "%20")}`;
}
