/**
 * @module
 * Input limits shared by the library and the handler.
 */

/** Longest username and password passed to Cognito; longer input is refused before any call. */
export const limits: { readonly username: number; readonly password: number } = {
  username: 128,
  password: 256,
};
