/**
 * @module
 * The words managed login adds to the pages; any of them can be replaced through the warrant's
 * `options.text`, like the built-in ones.
 */

/** The built-in English text of managed login. */
export const managedLoginText: Readonly<Record<string, string>> = Object.freeze({
  /** A provider's button; `{provider}` is its name. Per provider: `managedLogin.provider.<name>`. */
  "managedLogin.continue": "Continue with {provider}",
  /** The one button when no providers are listed: Cognito's own sign-in page. */
  "managedLogin.hosted": "Sign in with single sign-on",
  "managedLogin.failed": "Signing in did not complete. Please try again.",
  "managedLogin.expired": "This sign-in attempt has expired or was already used. Please start again.",
});
