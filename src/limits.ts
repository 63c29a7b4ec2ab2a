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
