/**
 * @module
 * The one error class of the library and the table of its codes.
 *
 * Expected outcomes (wrong password, a challenge, no session) are results, not errors. A `WarrantError`
 * means misuse, misconfiguration or an outage. Its message never holds a token, a password, a secret
 * or Cognito's own message: Cognito's error name is kept in `cognitoCode` and the original in `cause`.
 */

/** Every code a {@link WarrantError} can carry, with the HTTP status the handler answers with. */
export const errorCodes = {
  /** The options given to `createWarrant` are invalid. */
  invalid_options: 500,
  /** The session/user store failed or did not answer in time. */
  storage_unavailable: 503,
  /** Cognito failed (5xx, network) after the retries that are safe for the call. */
  cognito_unavailable: 503,
  /** Cognito throttled the app (TooManyRequests, LimitExceeded). */
  cognito_throttled: 429,
  /** Cognito refused the request for a reason that is not the user's credentials. */
  cognito_rejected: 502,
  /** The app client needs a secret and none (or a wrong one) is configured. */
  client_secret_mismatch: 500,
  /** The local user record does not satisfy `userSchema`. */
  user_record_invalid: 500,
  /** The configured `authFlow` cannot be used. */
  unsupported_auth_flow: 500,
  /** Cognito's SRP challenge failed a safety check (e.g. B mod N = 0) or lacked a parameter; the login stopped. */
  srp_failed: 502,
  /** Cognito asked for a challenge the library cannot answer (e.g. CUSTOM_CHALLENGE, DEVICE_SRP_AUTH). */
  unsupported_challenge: 502,
  /** API Gateway failed (5xx, network) or throttled the app (`@warrant/cognito/api-gateway`). */
  api_gateway_unavailable: 503,
  /** API Gateway refused a call for a reason that is not the caller's input (e.g. the credentials). */
  api_gateway_rejected: 502,
} as const;

/** A stable error code; see {@link errorCodes}. */
export type WarrantErrorCode = keyof typeof errorCodes;

/**
 * The error thrown by the library for misuse, misconfiguration and outages.
 *
 * @example
 * ```ts
 * try { await warrant.authenticate(name, password) }
 * catch (error) { if (error instanceof WarrantError && error.code === "cognito_unavailable") retryLater() }
 * ```
 */
export class WarrantError extends Error {
  override readonly name = "WarrantError";
  /** Stable code from {@link errorCodes}. */
  readonly code: WarrantErrorCode;
  /** Cognito's error name (e.g. `InvalidParameterException`) when Cognito answered with one. */
  readonly cognitoCode: string | undefined;

  constructor(
    code: WarrantErrorCode,
    message: string,
    options: { cause?: unknown; cognitoCode?: string } = {},
  ) {
    super(`warrant: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.cognitoCode = options.cognitoCode;
  }

  /** The HTTP status that fits this error. */
  get status(): number {
    return errorCodes[this.code];
  }
}
