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
