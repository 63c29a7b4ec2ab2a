/**
 * @module
 * The options of `createWarrant`, validated once (`options-schema.ts`), and the frozen config derived from them.
 */

import type { Storage } from "unstorage";
import * as v from "valibot";
import type { ModPow } from "./cognito/srp.ts";
import type { Counters } from "./counters.ts";
import { WarrantError } from "./errors.ts";
import type { EventListeners, EventUser } from "./events.ts";
import { createLogger, type Logger, type LoggerOptions } from "./logger.ts";
import { firstFactors, optionsSchema } from "./options-schema.ts";
import type { Pages } from "./pages/pages.ts";
import type { TextOverrides } from "./pages/text.ts";
import { sha256Hex } from "./sha256.ts";

/** A valibot object schema, as `userSchema` takes. */
export type ObjectSchema =
  | v.ObjectSchema<any, any>
  | v.LooseObjectSchema<any, any>
  | v.StrictObjectSchema<any, any>;

/** AWS credentials, or a function that provides them (as the AWS SDK accepts). */
export type Credentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>);

/** Limits on failed attempts. */
export interface RateLimitOptions {
  /** Failed attempts per account within `window`. @default 10 */
  perAccount?: number;
  /** Failed attempts per client address within `window`. @default 50 */
  perAddress?: number;
  /** The window in seconds. @default 900 */
  window?: number;
  /**
   * A header your platform or proxy sets, whole, to the client's address (`cf-connecting-ip`,
   * `x-real-ip`, `fly-client-ip`). A list (someone names `x-forwarded-for` here) counts only its last
   * entry, the one your proxy appended, never the first, which the client chose.
   * @default none: the address the adapter saw (`trustProxy` when set)
   */
  clientAddressHeader?: string;
  /**
   * `hops` proxies you run stand in front and each appends the address it saw to `header`: the client
   * is the entry `hops` from the right. Entries further left are the client's own words.
   * @default none: the address the adapter saw
   */
  trustProxy?: { hops: number; header?: string };
}

/**
 * What the options know of an extension: its name. What an extension may do (routes, hooks) is declared
 * by `WarrantExtension` in `extensions.ts`, which the handler reads; the options stay below the HTTP layer.
 */
export interface ExtensionBase {
  /** A unique name, e.g. `"managed-login"`. */
  readonly name: string;
}

/**
 * The login flows the library speaks. `USER_AUTH` is Cognito's choice-based sign-in: the username first,
 * then a passkey, an emailed or texted code, or the password, as the pool allows (Essentials tier).
 */
export type AuthFlow = "USER_SRP_AUTH" | "USER_PASSWORD_AUTH" | "ADMIN_USER_PASSWORD_AUTH" | "USER_AUTH";

export { firstFactors };

/** One of {@link firstFactors}. */
export type FirstFactor = (typeof firstFactors)[number];

/**
 * Options of {@link createWarrant}. Every field is documented in the README's options table. `M` and `S`
 * are the types of `attributeMapping` and `userSchema`, inferred by `createWarrant` to type its users.
 */
export interface WarrantOptions<
  M extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
  S extends ObjectSchema | undefined = ObjectSchema | undefined,
  U = EventUser,
> {
  /** The user pool, `<region>_<id>`; the region is derived from it. */
  userPoolId: string;
  /** The app client id. */
  clientId: string;
  /** The app client secret, when the client has one: SECRET_HASH is sent on every call that needs it. */
  clientSecret?: string;
  /** @default the part of `userPoolId` before `_` */
  region?: string;
  /** Cognito endpoint override (cognito-local, a VPC endpoint). @default AWS */
  endpoint?: string;
  /**
   * The `iss` of the pool's tokens, for `verifyToken`/`bearer`.
   * @default `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, or `<endpoint>/<userPoolId>` when `endpoint` is set
   */
  issuer?: string;
  /** For admin calls (`ADMIN_USER_PASSWORD_AUTH`, admin pages). @default the AWS SDK's credential chain */
  credentials?: Credentials;
  /** @default "USER_SRP_AUTH" */
  authFlow?: AuthFlow;
  /**
   * `USER_AUTH` only: the factor to ask Cognito for first (`PREFERRED_CHALLENGE`); when the person cannot
   * use it, Cognito offers the others. Without it the person chooses among what Cognito says is available.
   * `PASSWORD_SRP` or `PASSWORD` put a password field on the login page.
   * @default none (the person's choice)
   */
  preferredChallenge?: FirstFactor;
  /** Cognito attribute → local field. @default { email: "email", given_name: "first_name", family_name: "last_name" } */
  attributeMapping?: M;
  /** valibot object schema of the stored local user's mapped fields. @default optional strings for the mapped fields */
  userSchema?: S;
  /** Create a local user on first login; when false unknown users cannot log in. @default true */
  createUnknownUsers?: boolean;
  /** Where users, sessions and challenges live. @default in-memory unstorage */
  storage?: Storage;
  /**
   * Atomic counters for rate limits and challenge attempts (`memoryCounters`, `redisCounters`,
   * `denoKvCounters`, `durableObjectCounters`). @default the storage's own when it has them (memory,
   * redis), else counters of this process, with a warning
   */
  counters?: Counters;
  /** ≥ 32 characters; encrypts tokens at rest and keys CSRF tokens. An array rotates: the first one writes. */
  secret: string | string[];
  /** @default "/accounts" */
  basePath?: string;
  /** Where a login goes when `next` is absent or unsafe. @default basePath + "/profile" */
  loginRedirect?: string;
  /** Origins allowed to send state-changing requests. @default the request URL's origin */
  origins?: string[];
  /** Session cookie and lifetimes (seconds), enforced server-side. */
  session?: {
    /** @default "warrant" (`__Host-warrant` on https) */
    cookieName?: string;
    /** @default 86400 (1 day without activity) */
    idleTimeout?: number;
    /** @default 1209600 (14 days, as Django's SESSION_COOKIE_AGE) */
    maxAge?: number;
    /** Live sessions one user may have; a login past it ends the user's oldest. @default 50 */
    maxPerUser?: number;
  };
  /** Cognito groups that may use the admin pages. @default ["admin"] */
  staffGroups?: string[];
  /** The app client rotates refresh tokens: refresh with GetTokensFromRefreshToken. @default false */
  refreshTokenRotation?: boolean;
  /** Render functions that replace built-in pages (any of `pageNames`: login, challenge, logout, profile, …). @default built-in */
  pages?: Partial<Pages>;
  /**
   * Replaces any text of the built-in pages: keys as in `defaultText`, `attr.<attribute>` labels, and the
   * keys of the extensions' own tables. An unknown key is refused at construction. @default English
   */
  text?: TextOverrides;
  /**
   * Listeners for what happened: `login`, `logout`, `signUp`, `passwordChange`, `challenge`, `sessionEnd`.
   * Each is awaited up to 1 s; an error is caught and logged, never breaking the response. @default {}
   */
  events?: EventListeners<U>;
  /**
   * Levels and sink of the library's log lines; `false` silences it. At `"debug"` each Cognito exception is
   * named with a configuration hint. @default { level: "warn" }, on the console
   */
  logger?: LoggerOptions | false;
  /** Called with each failed request's error and request id. @default one line at the logger's error level, no secrets */
  onError?: (error: unknown, requestId: string) => void;
  /**
   * Limits on failed logins and challenge answers, per account and per client address (the address only
   * from `clientAddressHeader`, a header your proxy sets); `false` turns them off.
   * @default { perAccount: 10, perAddress: 50, window: 900 }
   */
  rateLimit?: RateLimitOptions | false;
  /** How long a storage call may take before the request fails with 503, in ms. @default 3000 */
  storageTimeout?: number;
  /** How long one Cognito call may take, retries included, before it is an outage (503), in ms. @default 5000 */
  cognitoTimeout?: number;
  /**
   * The Cognito attributes people may write about themselves (profile update, sign-up); a `custom:` one
   * only when listed. Restrict the app client's WriteAttributes to the same list. @default standardWritableAttributes
   */
  writableAttributes?: string[];
  /** The clock, in ms since the epoch (tests inject one). @default Date.now */
  now?: () => number;
  /**
   * A faster `base^exponent mod modulus` for SRP logins, e.g. the Node adapter's `modPow` (OpenSSL).
   * @default the library's own BigInt arithmetic (the same results)
   */
  modPow?: ModPow;
  /**
   * A faster SHA-256 for the session check's one hash per request: the lowercase hex digest of a string's
   * UTF-8 bytes, e.g. `adapters/bun`'s `sha256Hex` (Bun's native hasher). It must be SHA-256 (checked
   * once here against the library's own): storage ids are the same either way, so instances with and
   * without it share sessions. @default the library's own SHA-256 in JavaScript
   */
  sha256Hex?: (text: string) => string;
  /**
   * The issuer shown by authenticator apps for TOTP enrolment (MFA_SETUP), e.g. the site's name.
   * @default the user pool id
   */
  totpIssuer?: string;
  /** Optional features, each from its own module (e.g. managed login, passkeys). @default [] */
  extensions?: ExtensionBase[];
}

/** The default `attributeMapping` (django-warrant's), as a type: the field names are literal, so users are typed. */
export type DefaultAttributeMapping = {
  readonly email: "email";
  readonly given_name: "first_name";
  readonly family_name: "last_name";
};

/** The default Cognito attribute → local field mapping (django-warrant's). */
export const defaultAttributeMapping: DefaultAttributeMapping = Object.freeze({
  email: "email",
  given_name: "first_name",
  family_name: "last_name",
});

/** What people may write by default (`writableAttributes`): the standard profile attributes, no `custom:` one. */
export const standardWritableAttributes: readonly string[] = Object.freeze(
  "name given_name family_name middle_name nickname preferred_username profile picture website email gender birthdate zoneinfo locale phone_number address".split(
    " ",
  ),
);

/** The validated, defaulted, frozen configuration. */
export interface WarrantConfig {
  readonly userPoolId: string;
  readonly poolName: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly issuer: string;
  readonly credentials: Credentials | undefined;
  readonly authFlow: AuthFlow;
  readonly preferredChallenge: FirstFactor | undefined;
  readonly attributeMapping: Readonly<Record<string, string>>;
  readonly userSchema: ObjectSchema;
  readonly createUnknownUsers: boolean;
  readonly secrets: readonly string[];
  readonly basePath: string;
  readonly loginRedirect: string;
  readonly origins: readonly string[] | undefined;
  readonly session: {
    readonly cookieName: string;
    readonly idleTimeout: number;
    readonly maxAge: number;
    readonly maxPerUser: number;
  };
  readonly staffGroups: readonly string[];
  readonly refreshTokenRotation: boolean;
  readonly pages: Readonly<Partial<Pages>>;
  readonly text: Readonly<Record<string, string>>;
  readonly onError: ((error: unknown, requestId: string) => void) | undefined;
  readonly events: Readonly<EventListeners>;
  readonly logger: Logger;
  readonly modPow: ModPow | undefined;
  /** `options.sha256Hex`, or the library's own. */
  readonly sha256Hex: (text: string) => string;
  readonly storageTimeout: number;
  readonly cognitoTimeout: number;
  readonly writableAttributes: readonly string[];
  readonly rateLimit: Readonly<RateLimitOptions> | false;
  readonly counters: Counters | undefined;
  readonly now: () => number;
  readonly totpIssuer: string;
  readonly extensions: readonly ExtensionBase[];
}

/**
 * The config without `userSchema`: what sessions, `protect` and `bearer` read, and all a session reader
 * builds, so that it does not bundle valibot for a default schema it never uses.
 */
export type SessionConfig = Omit<WarrantConfig, "userSchema">;

const recordOptions = new Set(["attributeMapping", "pages"]);

function pathOf(path: readonly (string | number)[]): string {
  let out = "options";
  let parent = "";
  for (const item of path) {
    const key = String(item);
    const bracket = recordOptions.has(parent) || typeof item === "number" || !/^[A-Za-z_$][\w$]*$/.test(key);
    out += bracket ? `[${JSON.stringify(item)}]` : `.${key}`;
    parent = key;
  }
  return out;
}

/** Validates options and derives the config; throws a `WarrantError` naming the option path. */
export function resolveConfig(options: WarrantOptions): WarrantConfig {
  const config = resolveSessionConfig(options);
  const userSchema =
    (options.userSchema as ObjectSchema | undefined) ??
    v.object(
      Object.fromEntries(
        Object.values(config.attributeMapping).map((field) => [field, v.optional(v.string())]),
      ),
    );
  return Object.freeze({ ...config, userSchema });
}

/** {@link resolveConfig} without the user schema (a session reader's); throws as it does. */
export function resolveSessionConfig(options: WarrantOptions): SessionConfig {
  if (typeof options !== "object" || options === null) {
    throw new WarrantError("invalid_options", "options must be an object");
  }
  const issue = optionsSchema(options);
  if (issue) throw new WarrantError("invalid_options", `${pathOf(issue.path)} ${issue.message}`);
  const o = options;
  const basePath = (o.basePath ?? "/accounts").replace(/\/+$/, "") || "";
  const mapping = Object.freeze({ ...(o.attributeMapping ?? defaultAttributeMapping) });
  const session = Object.freeze({
    cookieName: o.session?.cookieName ?? "warrant",
    idleTimeout: o.session?.idleTimeout ?? 86_400,
    maxAge: o.session?.maxAge ?? 1_209_600,
    maxPerUser: o.session?.maxPerUser ?? 50,
  });
  if (session.idleTimeout > session.maxAge) {
    throw new WarrantError(
      "invalid_options",
      "options.session.idleTimeout must not exceed options.session.maxAge",
    );
  }
  if (o.sha256Hex) {
    // A function that is not SHA-256 would find no session it did not write itself: refuse it now.
    const probe = "warrant/cognito sha256Hex check \u00e9";
    let digest: unknown;
    try {
      digest = o.sha256Hex(probe);
    } catch {}
    if (digest !== sha256Hex(probe)) {
      throw new WarrantError(
        "invalid_options",
        "options.sha256Hex must return the lowercase hex SHA-256 of its input's UTF-8 bytes",
      );
    }
  }
  if (o.preferredChallenge && o.authFlow !== "USER_AUTH") {
    throw new WarrantError(
      "invalid_options",
      'options.preferredChallenge needs options.authFlow "USER_AUTH"',
    );
  }
  const underscore = o.userPoolId.indexOf("_");
  const region = o.region ?? o.userPoolId.slice(0, underscore);
  const endpoint = o.endpoint?.replace(/\/+$/, "");
  return Object.freeze({
    userPoolId: o.userPoolId,
    poolName: o.userPoolId.slice(underscore + 1),
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    region,
    endpoint,
    issuer: (
      o.issuer ??
      (endpoint
        ? `${endpoint}/${o.userPoolId}`
        : `https://cognito-idp.${region}.amazonaws.com/${o.userPoolId}`)
    ).replace(/\/+$/, ""),
    credentials: o.credentials as Credentials | undefined,
    authFlow: o.authFlow ?? "USER_SRP_AUTH",
    preferredChallenge: o.preferredChallenge,
    attributeMapping: mapping,
    createUnknownUsers: o.createUnknownUsers ?? true,
    secrets: Object.freeze(typeof o.secret === "string" ? [o.secret] : [...o.secret]),
    basePath,
    loginRedirect: o.loginRedirect ?? `${basePath}/profile`,
    origins: o.origins ? Object.freeze(o.origins.map((x) => new URL(x).origin)) : undefined,
    session,
    staffGroups: Object.freeze([...(o.staffGroups ?? ["admin"])]),
    refreshTokenRotation: o.refreshTokenRotation ?? false,
    pages: Object.freeze({ ...(o.pages ?? {}) }) as WarrantConfig["pages"],
    text: Object.freeze({ ...(o.text ?? {}) }) as WarrantConfig["text"],
    onError: o.onError as WarrantConfig["onError"],
    events: Object.freeze({ ...((o.events as EventListeners | undefined) ?? {}) }),
    logger: createLogger(o.logger as LoggerOptions | false | undefined),
    modPow: o.modPow as WarrantConfig["modPow"],
    sha256Hex: o.sha256Hex ?? sha256Hex,
    storageTimeout: o.storageTimeout ?? 3000,
    cognitoTimeout: o.cognitoTimeout ?? 5000,
    writableAttributes: Object.freeze([...(o.writableAttributes ?? standardWritableAttributes)]),
    rateLimit: o.rateLimit === false ? false : Object.freeze({ ...(o.rateLimit ?? {}) }),
    counters: o.counters as Counters | undefined,
    now: (o.now as (() => number) | undefined) ?? Date.now,
    totpIssuer: o.totpIssuer ?? o.userPoolId,
    extensions: Object.freeze([...((o.extensions as ExtensionBase[] | undefined) ?? [])]),
  });
}
