/**
 * @module
 * Input limits and lifetimes shared by the library and the handler.
 */

/** Longest username and password passed to Cognito; longer input is refused before any call. */
export const limits: { readonly username: number; readonly password: number } = {
  username: 128,
  password: 256,
};

/**
 * The longest value each named form or JSON field may hold, checked by the body reader as it parses,
 * before any pattern runs on the value or any Cognito call is made. Other fields get {@link maxFieldLength}.
 */
export const fieldLimits: Readonly<Record<string, number>> = Object.freeze({
  username: 128,
  email: 128,
  password: 256,
  currentPassword: 256,
  newPassword: 256,
  confirmPassword: 256,
  code: 32,
  csrf: 256,
  // A WebAuthn response (JSON with the attestation), checked whole by the route that takes it.
  credential: 32 * 1024,
});

/** The longest value of any field without its own entry in {@link fieldLimits} (Cognito's own attribute cap). */
export const maxFieldLength = 2048;

/**
 * How long a pending challenge may be answered, in seconds, counted from when Cognito issued it: as
 * long as Cognito's own challenge session lives, and no longer.
 */
export const challengeTtl = 180;

/** Wrong answers (codes, refused new passwords) a pending challenge takes before it is gone. */
export const challengeAttempts = 5;

/**
 * How long a managed login may take, in seconds, from the start route until Cognito sends the browser
 * back: the authorization request (state, PKCE verifier, nonce) and the cookie that binds it to the
 * browser live this long. Cognito's authorization code itself lives 5 minutes; a federated provider's
 * page may take the rest.
 */
export const managedLoginTtl = 600;

/** How long a browser keeps its device cookie (the devices extension), in seconds: 365 days. */
export const deviceCookieAge: number = 365 * 86400;
