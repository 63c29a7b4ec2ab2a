/**
 * @module
 * Every word the built-in pages show, in one table: pass `options.text` to translate or reword any of them.
 */

/** The built-in English text. */
export const defaultText = {
  "login.title": "Sign in",
  "login.username": "Email or username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.failed": "Incorrect username or password.",
  "login.signedIn": "You are signed in.",
  "challenge.title": "One more step",
  "challenge.unsupported": "This account needs a sign-in step that this site cannot complete yet.",
  "challenge.expired": "This sign-in attempt has expired. Please sign in again.",
  "challenge.restart": "Sign in again",
  "logout.title": "Sign out",
  "logout.confirm": "Sign out of your account?",
  "logout.submit": "Sign out",
  "profile.title": "Your profile",
  "profile.updated": "Your profile was updated.",
  "profile.edit": "Edit profile",
  "profile.empty": "Not set",
  "update.title": "Edit profile",
  "update.submit": "Save",
  "update.cancel": "Cancel",
  "update.invalid": "Please check the fields marked below.",
  "update.fieldInvalid": "This value is not valid.",
  "error.title": "Something went wrong",
  "error.body": "Please try again. If it keeps happening, quote this request id:",
  "error.unavailable": "The service is busy. Please try again in a moment.",
  "error.forbidden": "This request was refused. Please go back, reload the page and try again.",
  "error.notFound": "There is nothing here.",
  "error.badRequest": "The request could not be understood.",
  "error.tooLarge": "The request was too large.",
  "error.methodNotAllowed": "This address does not accept that kind of request.",
  "attr.name": "Name",
  "attr.given_name": "First name",
  "attr.family_name": "Last name",
  "attr.middle_name": "Middle name",
  "attr.nickname": "Nickname",
  "attr.email": "Email",
  "attr.phone_number": "Phone",
  "attr.gender": "Gender",
  "attr.address": "Address",
  "attr.birthdate": "Birth date",
  "attr.locale": "Locale",
  "attr.website": "Website",
  "attr.preferred_username": "Preferred username",
  "attr.custom:api_key": "API key",
  "attr.custom:api_key_id": "API key id",
};

/** The keys of the text table. */
export type TextKey = keyof typeof defaultText;
/** A full text table. */
export type Text = Record<TextKey, string> & Record<string, string>;

/** The label of a Cognito attribute: from the table, else the attribute's own name. */
export function attributeLabel(text: Text, attribute: string): string {
  return text[`attr.${attribute}`] ?? attribute;
}
