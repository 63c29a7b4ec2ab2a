/**
 * @module
 * What a Cognito error means to the library: a refusal (Cognito answered no) or an outage (no answer:
 * a refused or reset connection, a name that does not resolve, a deadline passed; or an answer that is
 * a 5xx or a throttle). Cognito's message is never passed on, and never read to decide: only the
 * error's name, its HTTP status and the call it answered. Where cognito-local answers differently from
 * Cognito, the difference is handled here and nowhere else.
 */
import { WarrantError } from "../errors.ts";

/** The kinds of failure the library branches on. */
export type FailureKind =
  | "credentials"
  | "not_confirmed"
  | "reset_required"
  | "throttled"
  | "unavailable"
  | "rejected";

const credentialNames = new Set([
  "NotAuthorizedException",
  "UserNotFoundException",
  // cognito-local answers a wrong password with InvalidPasswordException where real Cognito answers
  // NotAuthorizedException; in a login it can only mean "wrong credentials", so it is treated the same.
  "InvalidPasswordException",
]);
const throttleNames = new Set(["TooManyRequestsException", "LimitExceededException", "ThrottlingException"]);

/**
 * True when Cognito answered: the error carries the HTTP status of a response. The AWS SDK attaches
 * `$metadata` to connection errors too (ECONNREFUSED, ENOTFOUND, a reset, an abort), but without a
 * status: those are no answer at all.
 */
export function answered(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: unknown } } | null;
  return typeof e === "object" && e !== null && typeof e.$metadata?.httpStatusCode === "number";
}

/** Cognito's error name when Cognito answered, or undefined for no answer (a network failure, a deadline). */
export function cognitoName(error: unknown): string | undefined {
  const name = (error as { name?: unknown }).name;
  return answered(error) && typeof name === "string" ? name : undefined;
}

/** Sorts a Cognito SDK error (or a network error) into a {@link FailureKind}. */
export function classify(error: unknown): FailureKind {
  const name = cognitoName(error);
  if (name === undefined) return "unavailable";
  const e = error as { $fault?: string; $metadata: { httpStatusCode: number } };
  if (throttleNames.has(name)) return "throttled";
  if (e.$fault === "server" || e.$metadata.httpStatusCode >= 500) return "unavailable";
  if (credentialNames.has(name)) return "credentials";
  if (name === "UserNotConfirmedException") return "not_confirmed";
  if (name === "PasswordResetRequiredException") return "reset_required";
  return "rejected";
}

/** Thrown by the client when a Cognito call passed its deadline (`cognitoTimeout`). */
export class CognitoTimeout extends Error {
  override readonly name = "CognitoTimeout";
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

const networkCodes = /^(E[A-Z0-9_]+|UND_ERR_[A-Z_]+)$/;

/**
 * Why there was no answer, for the log line, never with a host, a token or Cognito's text: a system
 * error code (ECONNREFUSED, ENOTFOUND, ECONNRESET, …), the deadline, Deno's missing `--allow-*`
 * permission, an HTTP status, or an error name.
 */
export function outageCause(error: unknown): string {
  const e = (error ?? {}) as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    cause?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (error instanceof CognitoTimeout) return error.message;
  if (typeof e.code === "string" && networkCodes.test(e.code)) return e.code;
  // Deno without --allow-sys (or --allow-net, --allow-env) rejects the SDK's call with NotCapable or
  // PermissionDenied; its message names the flag, and only the flag is kept.
  const flag = /--allow-[a-z]+/.exec(String(e.message ?? ""))?.[0];
  if (e.name === "NotCapable" || e.name === "PermissionDenied" || flag)
    return `Deno permission missing${flag ? `: run with ${flag}` : ""}`;
  if (typeof e.$metadata?.httpStatusCode === "number") return `HTTP ${e.$metadata.httpStatusCode}`;
  if (e.cause && e.cause !== error) {
    const inner = outageCause(e.cause);
    if (inner !== "Error") return inner;
  }
  return typeof e.name === "string" && /^[A-Za-z]{1,40}$/.test(e.name) ? e.name : "Error";
}

/** The `WarrantError` for a Cognito failure that is not an expected result. */
export function toWarrantError(error: unknown, during: string): WarrantError {
  if (error instanceof WarrantError) return error;
  const kind = classify(error);
  const cognitoCode = cognitoName(error);
  const opts = { cause: error, ...(cognitoCode ? { cognitoCode } : {}) };
  switch (kind) {
    case "unavailable":
      return new WarrantError(
        "cognito_unavailable",
        `Cognito is unavailable (${during}: ${outageCause(error)})`,
        opts,
      );
    case "throttled":
      return new WarrantError("cognito_throttled", `Cognito throttled the request (${during})`, opts);
    default:
      return new WarrantError(
        "cognito_rejected",
        `Cognito refused ${during} (${cognitoCode ?? "unknown"})`,
        opts,
      );
  }
}

/** The loud error for an app client whose secret is missing or wrong in the options. */
export function secretMismatch(cause: unknown): WarrantError {
  return new WarrantError(
    "client_secret_mismatch",
    "the app client has a secret: set options.clientSecret to it (Cognito could not verify SECRET_HASH)",
    { cause, cognitoCode: "NotAuthorizedException" },
  );
}

/**
 * Cognito's error name for a refusal a caller can explain (a wrong code, a weak password); an outage or
 * a throttle is thrown instead as a `WarrantError` (503, 429).
 */
export function refusalName(error: unknown, during: string): string | undefined {
  const kind = classify(error);
  if (kind === "unavailable" || kind === "throttled") throw toWarrantError(error, during);
  return cognitoName(error);
}

/**
 * True when ChangePassword refused the current password. Cognito says NotAuthorizedException;
 * cognito-local says InvalidPasswordException with "incorrect" / "invalid password" in its message,
 * which for a policy failure it words differently.
 */
export function wrongCurrentPassword(error: unknown): boolean {
  const name = cognitoName(error);
  return (
    name === "NotAuthorizedException" ||
    (name === "InvalidPasswordException" &&
      /incorrect|invalid password$/i.test(String((error as Error).message)))
  );
}

/**
 * A configuration hint for a failed Cognito call, for the debug log: what the answer usually means when
 * it is the setup's fault rather than the person's. Undefined when the answer is an expected one (a wrong
 * password, a wrong code).
 *
 * @example
 * ```ts
 * configHint(Object.assign(new Error(), { name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } }), "the login")
 * // "no such client: check clientId (and userPoolId, region)"
 * ```
 */
export function configHint(error: unknown, during: string): string | undefined {
  const name = cognitoName(error);
  if (name === undefined) {
    const cause = outageCause(error);
    if (cause === "ENOTFOUND" || cause === "EAI_AGAIN")
      return "the Cognito host does not resolve: check region (from userPoolId) or endpoint";
    if (cause === "ECONNREFUSED") return "nothing listens at the Cognito endpoint: check endpoint";
    if (error instanceof CognitoTimeout)
      return "no answer within cognitoTimeout: check endpoint and the network";
    return undefined;
  }
  switch (name) {
    case "ResourceNotFoundException":
      return "no such client: check clientId (and userPoolId, region)";
    case "InvalidParameterException":
      return during === "the login"
        ? "check that the app client allows options.authFlow (ALLOW_USER_SRP_AUTH, ALLOW_USER_PASSWORD_AUTH, …)"
        : undefined;
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "AccessDeniedException":
    case "ExpiredTokenException":
      return "the AWS credentials were refused: check options.credentials and their IAM policy";
    default:
      return undefined;
  }
}
