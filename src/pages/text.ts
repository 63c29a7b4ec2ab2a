/**
 * @module
 * Every word the built-in pages show, in one table: pass `options.text` to translate or reword any of them.
 */
import { errorText } from "./error-text.ts";

/** The built-in English text. */
export const defaultText = {
  // The error page's words live in error-text.ts, so a session reader carries only them.
  "error.title": errorText["error.title"] as string,
  "error.body": errorText["error.body"] as string,
  "error.unavailable": errorText["error.unavailable"] as string,
  "error.badRequest": errorText["error.badRequest"] as string,
  "error.tooLarge": errorText["error.tooLarge"] as string,
  "error.methodNotAllowed": errorText["error.methodNotAllowed"] as string,
  "login.title": "Sign in",
  "login.username": "Email or username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.failed": "Incorrect username or password.",
  "login.throttled": "Too many failed attempts. Please wait a few minutes and try again.",
  "login.signedIn": "You are signed in.",
  "login.continue": "Continue",
  "login.or": "or sign in with a password",
  "challenge.title": "One more step",
  "challenge.expired": "This sign-in attempt has expired or was already used. Please sign in again.",
  "challenge.tooManyAttempts": "Too many attempts. Please sign in again.",
  "challenge.restart": "Sign in again",
  "challenge.submit": "Continue",
  "challenge.intro.NEW_PASSWORD_REQUIRED": "Please choose a new password for your account.",
  "challenge.intro.SOFTWARE_TOKEN_MFA": "Enter the 6-digit code from your authenticator app.",
  "challenge.intro.SMS_MFA": "Enter the code we sent by text message to {destination}.",
  "challenge.intro.EMAIL_OTP": "Enter the code we sent by email to {destination}.",
  "challenge.intro.SELECT_MFA_TYPE": "How would you like to confirm that it is you?",
  "challenge.intro.SELECT_CHALLENGE": "How would you like to sign in?",
  "challenge.intro.SMS_OTP": "Enter the code we sent by text message to {destination}.",
  "challenge.intro.WEB_AUTHN": "Sign in with your passkey.",
  "challenge.passkeyUnavailable": "Passkeys cannot be used here. Please sign in another way.",
  "challenge.passkeyRejected": "This passkey was not accepted.",
  "challenge.anotherWay": "Sign in another way",
  "challenge.factor.PASSWORD": "Sign in with your password",
  "challenge.factor.EMAIL_OTP": "Email me a code",
  "challenge.factor.SMS_OTP": "Text me a code",
  "challenge.factor.WEB_AUTHN": "Use a passkey",
  "challenge.intro.MFA_SETUP":
    "This account needs two-step verification. Add it to an authenticator app, then enter the code the app shows.",
  "challenge.destination": "your phone or email",
  "challenge.newPassword": "New password",
  "challenge.confirmPassword": "Repeat the new password",
  "challenge.passwordMismatch": "The two passwords do not match.",
  "challenge.passwordRejected": "This password cannot be used. Please choose another one.",
  "challenge.fieldRequired": "Please fill in this field.",
  "challenge.code": "Verification code",
  "challenge.codeInvalid": "That code did not work. Please check it and try again.",
  "challenge.attemptsLeft": "Attempts left: {count}.",
  "challenge.method": "Verification method",
  "challenge.methodRequired": "Please choose a method.",
  "challenge.method.SOFTWARE_TOKEN_MFA": "Authenticator app",
  "challenge.method.SMS_MFA": "Text message (SMS)",
  "challenge.method.EMAIL_OTP": "Email",
  "challenge.setupLink": "Add to an authenticator app on this device",
  "challenge.setupUri": "Setup address",
  "challenge.setupSecret": "Or type this key into the app:",
  "password.change.title": "Change your password",
  "password.change.submit": "Change password",
  "password.forgot.title": "Forgot your password?",
  "password.forgot.submit": "Send a code",
  "password.forgot.intro": "Enter your email or username and we will send you a code to set a new password.",
  "password.reset.title": "Set a new password",
  "password.reset.submit": "Set password",
  "password.reset.sent": "If an account exists for that name, a code is on its way.",
  "password.current": "Current password",
  "password.new": "New password",
  "password.confirm": "New password again",
  "password.code": "Code",
  "password.mismatch": "The two new passwords are not the same.",
  "password.wrongCurrent": "This is not your current password.",
  "password.weak": "This password does not meet the requirements.",
  "password.badCode": "This code is not valid or has expired.",
  "password.changed": "Your password was changed. You were signed out everywhere else.",
  "password.resetDone": "Your password was reset and you are signed in. You were signed out everywhere else.",
  "password.resetSignIn": "Your password was reset. You can sign in with it now.",
  "password.changedSignIn": "Your password was changed. Please sign in with the new one.",
  "password.haveCode": "I already have a code",
  "password.newCode": "Send me a new code",
  "password.forgotLink": "Forgot your password?",
  "password.changeLink": "Change password",
  "signup.signup.title": "Create an account",
  "signup.signup.submit": "Create account",
  "signup.confirm.title": "Confirm your account",
  "signup.confirm.submit": "Confirm",
  "signup.email": "Email",
  "signup.password": "Password",
  "signup.confirmPassword": "Confirm password",
  "signup.sent": "If this address can be used, a code is on its way to it.",
  "signup.confirmed": "Your account is confirmed. You can sign in now.",
  "signup.confirmFailed": "This code or this password is not right.",
  "signup.signedIn": "Your account is confirmed and you are signed in.",
  "signup.invalid": "Please check the fields marked below.",
  "signup.haveAccount": "I already have an account",
  "signup.link": "Create an account",
  "admin.users.title": "Users",
  "admin.username": "Cognito username",
  "admin.status": "Status",
  "admin.disabled": "disabled",
  "admin.groups": "Groups",
  "admin.sessions": "Active sessions here",
  "admin.next": "Next page",
  "admin.back": "All users",
  "admin.disable": "Disable and sign out",
  "admin.disableConfirm": "This user will be signed out everywhere and cannot sign in until enabled again.",
  "admin.disableYes": "Yes, disable this user",
  "admin.enable": "Enable",
  "admin.signout": "Sign out everywhere",
  "admin.done.disable": "The user was disabled and signed out everywhere.",
  "admin.done.enable": "The user was enabled.",
  "admin.done.signout": "The user was signed out everywhere.",
  "logout.title": "Sign out",
  "logout.confirm": "Sign out of your account?",
  "logout.submit": "Sign out",
  "logout.leaving": "You are signed out here. Signing you out of the sign-in service too…",
  "logout.continue": "Continue",
  "profile.title": "Your profile",
  "profile.updated": "Your profile was updated.",
  "profile.edit": "Edit profile",
  "profile.empty": "Not set",
  "profile.verified": "Yes",
  "profile.unverified": "No",
  "profile.verify": "Verify",
  "verify.title.email": "Verify your email address",
  "verify.title.phone_number": "Verify your phone number",
  "verify.intro":
    "Send a code, then enter it here. If you have just changed this, a code may already be on its way.",
  "verify.sent": "A code is on its way to {destination}.",
  "verify.code": "Verification code",
  "verify.submit": "Verify",
  "verify.send": "Send a code",
  "verify.badCode": "This code is not valid or has expired.",
  "verify.refused": "This cannot be verified. It may already be in use by another account.",
  "verify.missing": "There is nothing to verify yet: add it to your profile first.",
  "verify.done.email": "Your email address is verified.",
  "verify.done.phone_number": "Your phone number is verified.",
  "verify.back": "Back to your profile",
  "update.title": "Edit profile",
  "update.submit": "Save",
  "update.cancel": "Cancel",
  "update.invalid": "Please check the fields marked below.",
  "update.fieldInvalid": "This value is not valid.",
  "error.forbidden": "This request was refused. Please go back, reload the page and try again.",
  "error.notStaff":
    "This page is for staff only. You are signed in, but your account is not in a staff group.",
  "error.notFound": "There is nothing here.",
  "attr.name": "Name",
  "attr.given_name": "First name",
  "attr.family_name": "Last name",
  "attr.middle_name": "Middle name",
  "attr.nickname": "Nickname",
  "attr.email": "Email",
  "attr.email_verified": "Email verified",
  "attr.phone_number": "Phone",
  "attr.phone_number_verified": "Phone verified",
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

/**
 * The key families open beyond {@link defaultText}: a label per Cognito attribute (`attr.custom:plan`), and
 * the extensions' own tables, each under its prefix. A new extension with text adds its prefix here.
 */
export const openTextPrefixes = [
  "attr.",
  "passkeys.",
  "managedLogin.",
  "apiGateway.",
  "admin.done.",
] as const;

/** `options.text`: any key of {@link defaultText}, or one in an {@link openTextPrefixes} family. */
export type TextOverrides = { [K in TextKey]?: string } & {
  [K in `${(typeof openTextPrefixes)[number]}${string}`]?: string;
};

/**
 * The key families whose members no table lists, since they name something of the app's: a Cognito
 * attribute's label (`attr.custom:plan`), a managed-login provider's button (`managedLogin.provider.Google`).
 */
export const freeTextPrefixes: readonly string[] = ["attr.", "managedLogin.provider."];

/**
 * The keys of `overrides` that no table knows: not in `known` (the built-in and the extensions' text),
 * and not in a {@link freeTextPrefixes} family. The extensions' other keys are checked against their
 * tables, so a typo in one is found too.
 *
 * @example
 * ```ts
 * unknownTextKeys({ "login.titel": "x", "attr.custom:plan": "Plan" }, defaultText) // ["login.titel"]
 * ```
 */
export function unknownTextKeys(
  overrides: Readonly<Record<string, string>>,
  known: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(overrides).filter(
    (key) => !Object.hasOwn(known, key) && !freeTextPrefixes.some((prefix) => key.startsWith(prefix)),
  );
}

/**
 * A text with its `{name}` placeholders filled in; unknown placeholders stay as they are.
 *
 * @example
 * ```ts
 * fill("Attempts left: {count}.", { count: "2" }) // "Attempts left: 2."
 * ```
 */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(values, name) ? String(values[name]) : whole,
  );
}

/** The label of a Cognito attribute: from the table, else the attribute's own name. */
export function attributeLabel(text: Text, attribute: string): string {
  return text[`attr.${attribute}`] ?? attribute;
}
