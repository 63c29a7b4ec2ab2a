/**
 * @module
 * What a Cognito error means to the library: a refusal (Cognito said no) or an outage (no answer, a
 * 5xx, a throttle). Cognito's message is never passed on: only its name. Where cognito-local answers
 * differently from Cognito, the difference is handled here and nowhere else.
 */
import { WarrantError } from "../errors.ts";

/** The kinds of failure the library branches on. */
export type FailureKind =
  | "credentials"
  | "not_confirmed"
  | "reset_required"
  | "secret"
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

/** Cognito's error name, or undefined for a network failure. */
export function cognitoName(error: unknown): string | undefined {
  const e = error as { name?: string; $metadata?: unknown; __type?: string };
  if (e && typeof e === "object" && "$metadata" in e && typeof e.name === "string") return e.name;
  return undefined;
}

/** Sorts a Cognito SDK error (or a network error) into a {@link FailureKind}. */
export function classify(error: unknown): FailureKind {
  const e = error as {
    name?: string;
    message?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = cognitoName(error);
  if (name === undefined) return "unavailable";
  if (throttleNames.has(name)) return "throttled";
  if (e.$fault === "server" || (e.$metadata?.httpStatusCode ?? 0) >= 500) return "unavailable";
  if (name === "NotAuthorizedException" && /secret/i.test(e.message ?? "")) return "secret";
  if (credentialNames.has(name)) return "credentials";
  if (name === "UserNotConfirmedException") return "not_confirmed";
  if (name === "PasswordResetRequiredException") return "reset_required";
  return "rejected";
}

/** The `WarrantError` for a Cognito failure that is not an expected result. */
export function toWarrantError(error: unknown, during: string): WarrantError {
  if (error instanceof WarrantError) return error;
  const kind = classify(error);
  const cognitoCode = cognitoName(error);
  const opts = { cause: error, ...(cognitoCode ? { cognitoCode } : {}) };
  switch (kind) {
    case "unavailable":
      return new WarrantError("cognito_unavailable", `Cognito is unavailable (${during})`, opts);
    case "throttled":
      return new WarrantError("cognito_throttled", `Cognito throttled the request (${during})`, opts);
    case "secret":
      return new WarrantError(
        "client_secret_mismatch",
        "the app client has a secret: set options.clientSecret to it (Cognito could not verify SECRET_HASH)",
        opts,
      );
    default:
      return new WarrantError(
        "cognito_rejected",
        `Cognito refused ${during} (${cognitoCode ?? "unknown"})`,
        opts,
      );
  }
}

/**
 * Cognito's error name for a refusal a caller can explain (a wrong code, a weak password); an outage, a
 * throttle or a wrong client secret is thrown instead as a `WarrantError` (503, 429, 500).
 */
export function refusalName(error: unknown, during: string): string | undefined {
  const kind = classify(error);
  if (kind === "unavailable" || kind === "throttled" || kind === "secret")
    throw toWarrantError(error, during);
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
