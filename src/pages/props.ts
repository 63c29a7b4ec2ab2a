/**
 * @module
 * The props of every built-in page and the type of a page renderer: what `options.pages` replacements get.
 */
import type { LoginExtras } from "./html.ts";
import type { Text } from "./text.ts";

/** What every page gets: the text table, where the routes live, and the form's CSRF token. */
export interface PageContext {
  text: Text;
  basePath: string;
  /** The CSRF token every form must carry as the `csrf` field. */
  csrf: string;
}

/** A labelled value on the profile page. */
export interface ProfileItem {
  attribute: string;
  label: string;
  value: string | undefined;
  /** For an email or phone number the user has: whether Cognito counts it as verified. */
  verified?: boolean;
}

/** A link on a page (e.g. one an extension adds to the profile). */
export interface PageLink {
  href: string;
  label: string;
}

/** What an extension adds to the staff page of one user. */
export interface AdminSection {
  /** The extension's name. */
  name: string;
  /** Its HTML, ready to place. */
  html: string;
}

/** A field of a form (profile update, login challenge). */
export interface FormField {
  /** The form field name (the local field). */
  name: string;
  label: string;
  value: string;
  type: "text" | "email" | "tel" | "url" | "date" | "password";
  autocomplete: string;
  /** `numeric` brings up the digit keypad on phones for codes. */
  inputmode?: "numeric";
  required?: boolean;
  error?: string;
}

/** A user as the admin pages list them. */
export interface AdminUserRow {
  /** The Cognito username (never changes). */
  username: string;
  email: string;
  /** Cognito's status: CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, … */
  status: string;
  enabled: boolean;
  /** The user's attributes through the mapping. */
  fields: Record<string, string>;
}

/** One choice of a SELECT_MFA_TYPE challenge. */
export interface ChallengeChoice {
  /** The MFA type sent back as `mfaType` (e.g. `SOFTWARE_TOKEN_MFA`). */
  value: string;
  label: string;
}

/** Props of each page. */
export interface PageProps {
  login: {
    ctx: PageContext;
    error?: string;
    /** What just happened (e.g. "your account is confirmed"), shown as a status above the form. */
    notice?: string;
    next?: string;
    username?: string;
    /** USER_AUTH: the username only; the factors follow on the challenge page. */
    usernameOnly?: boolean;
  } & LoginExtras;
  challenge: {
    ctx: PageContext;
    /** The challenge being answered; absent on the "sign in again" page (expired, used up, too many attempts). */
    name?: string;
    /** What to do, or why the sign-in has to start again. */
    message: string;
    /** An error about the whole form; errors about one field sit on that field. */
    error?: string;
    /** Passwords and attributes (NEW_PASSWORD_REQUIRED) or the code (the MFA challenges). */
    fields?: FormField[];
    /** SELECT_MFA_TYPE: the methods to choose from, posted as `mfaType`. */
    choices?: ChallengeChoice[];
    /** SELECT_MFA_TYPE: the error tied to the choice. */
    choiceError?: string;
    /** MFA_SETUP: the secret and `otpauth://` URI to add to an authenticator app. */
    totp?: { secret: string; uri: string };
    /** A safe path to go to after the login, carried in the form's action. */
    next?: string;
    /** SELECT_CHALLENGE (USER_AUTH): the factors besides the password, each a button posted as `choice`. */
    factors?: ChallengeChoice[];
    /** Hidden fields of the form with `fields` (SELECT_CHALLENGE: the password's `choice`). */
    hidden?: Record<string, string>;
    /** The label of the button of the form with `fields`. @default text `challenge.submit` */
    submit?: string;
    /** Trusted markup an extension adds after the message (a passkey step, with its script). */
    step?: string;
    /** Trusted markup an extension adds inside the answer form, before its button ("remember this browser"). */
    inForm?: string;
    /** A first factor of USER_AUTH: a button (posted as `anotherWay`) that offers the other factors. */
    anotherWay?: boolean;
  };
  logout: { ctx: PageContext };
  profile: {
    ctx: PageContext;
    items: ProfileItem[];
    updated: boolean;
    /** Another confirmation to show (e.g. after a password change). */
    notice?: string;
    /** Links the extensions add (e.g. to the API subscriptions). */
    links?: PageLink[];
  };
  /** Proving an email address or phone number with the code Cognito sends to it. */
  verify: {
    ctx: PageContext;
    attribute: "email" | "phone_number";
    /** The current value, where the code goes; empty when the user has none. */
    value: string;
    verified: boolean;
    /** The code field, when there is something to verify. */
    fields: FormField[];
    error?: string;
    message?: string;
  };
  profileUpdate: { ctx: PageContext; fields: FormField[]; error?: string };
  error: { ctx: PageContext; status: number; message: string; requestId: string };
  /** Staff: the pool's users, a page at a time (`next` is the token of the next page). */
  adminUsers: { ctx: PageContext; users: AdminUserRow[]; next?: string };
  /** Staff: one user, with disable / enable / sign-out-everywhere actions. */
  adminUser: {
    ctx: PageContext;
    user: AdminUserRow & { groups: string[]; sessions: number };
    done?: "disable" | "enable" | "signout";
    /** The confirmation of an extension's action. */
    notice?: string;
    /** The extensions' sections, in order. */
    sections?: AdminSection[];
  };
  /** Registration: `signup` (the account form) and `confirm` (the code Cognito sent). */
  signup: {
    ctx: PageContext;
    kind: "signup" | "confirm";
    fields: FormField[];
    error?: string;
    message?: string;
  };
  /** Password upkeep: change (signed in), forgot (ask for a code), reset (code + new password). */
  password: {
    ctx: PageContext;
    kind: "change" | "forgot" | "reset";
    fields: FormField[];
    /** An error about the whole form. */
    error?: string;
    /** A note above the form (e.g. "a code is on its way"), shown as a status. */
    message?: string;
    /** What the form is for, shown as plain text (the forgot-password instruction), not as a status. */
    intro?: string;
  };
}

/** The page renderers; any subset can be passed as `options.pages`. */
export type Pages = { [K in keyof PageProps]: (props: PageProps[K]) => string };
