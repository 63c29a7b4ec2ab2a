/**
 * @module
 * The words of the error page and of the failures `protect` answers: all the text a session reader
 * (`@warrant/cognito/sessions`) shows, kept apart so that its bundle does not carry the whole table.
 * `defaultText` includes them; `options.text` replaces them as any other key.
 */

/** The keys of {@link errorText}. */
export type ErrorTextKey =
  | "error.title"
  | "error.body"
  | "error.unavailable"
  | "error.badRequest"
  | "error.tooLarge"
  | "error.methodNotAllowed";

/** The error page's and the failures' built-in English text (part of `defaultText`). */
export const errorText: Readonly<Record<ErrorTextKey, string>> = {
  "error.title": "Something went wrong",
  "error.body": "Please try again. If it keeps happening, quote this request id:",
  "error.unavailable": "The service is busy. Please try again in a moment.",
  "error.badRequest": "The request could not be understood.",
  "error.tooLarge": "The request was too large.",
  "error.methodNotAllowed": "This address does not accept that kind of request.",
};
