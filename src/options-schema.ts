/**
 * @module
 * The schema of the options: every option's shape and the message a bad value gets, built of the checks
 * in `options-check.ts`. The option types and the config derived from them are in `options.ts`.
 */
import type { Storage } from "unstorage";
import {
  array,
  type Check,
  fn,
  is,
  number,
  object,
  oneOf,
  optional,
  record,
  string,
  union,
} from "./options-check.ts";

/** The first factors of `USER_AUTH`, as Cognito names them (its `PREFERRED_CHALLENGE` values). */
export const firstFactors = ["PASSWORD_SRP", "PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"] as const;

import { eventNames } from "./events.ts";
import { logLevels } from "./logger.ts";
import { pageNames } from "./pages/names.ts";

const ms = number("must be a positive number of ms", [(x) => x >= 1, "must be a positive number of ms"]);
const whole = (message: string) => number(message, [Number.isInteger, message], [(x) => x >= 1, message]);
const positive = whole("must be a whole positive number");
const header = string("must be a header name", [
  (x) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(x),
  "must be a header name",
]);
const nonEmpty = string("must be a non-empty string", [(x) => x.length >= 1, "must be a non-empty string"]);
const seconds = whole("must be a positive number of seconds");
const secretString = string("must be a string of at least 32 characters", [
  (x) => x.length >= 32,
  "must be a string of at least 32 characters",
]);
// RFC 6265 token characters only: a name with `;`, `=` or spaces would inject cookie attributes.
const cookieName = string("must be a cookie name", [
  (x) => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/.test(x),
  "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)",
]);
const path = string("must be a path", [
  (x) => /^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]+\/?)*$/.test(x),
  "must be a path that starts with /",
]);
const url = (message: string, rule = message) => string(message, [(x) => URL.canParse(x), rule]);
const custom = is;
const boolean = (message: string) => is((x) => typeof x === "boolean", message);
const bool = boolean("must be true or false");
const logLevelNames = [...logLevels, "silent"];

/** The schema of {@link WarrantOptions}: what `resolveConfig` checks, with the message of each option. */
export const optionsSchema: Check = object(
  {
    userPoolId: string("must be a user pool id like eu-west-1_AbC123", [
      (x) => /^[\w-]+_[0-9A-Za-z]+$/.test(x),
      "must be a user pool id like eu-west-1_AbC123",
    ]),
    clientId: nonEmpty,
    clientSecret: optional(nonEmpty),
    region: optional(
      string("must be a region", [(x) => /^[a-z0-9-]+$/.test(x), "must be a region like eu-west-1"]),
    ),
    endpoint: optional(url("must be a URL")),
    issuer: optional(url("must be a URL")),
    credentials: optional(
      union(
        [
          object(
            {
              accessKeyId: string("must be a string"),
              secretAccessKey: string("must be a string"),
              sessionToken: optional(string("must be a string")),
            },
            "must be an object",
          ),
          fn("must be a function"),
        ],
        "must be { accessKeyId, secretAccessKey } or a credential provider function",
      ),
    ),
    authFlow: optional(
      oneOf(
        ["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"],
        'must be "USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH" or "USER_AUTH"',
      ),
    ),
    preferredChallenge: optional(oneOf(firstFactors, `must be one of ${firstFactors.join(", ")}`)),
    attributeMapping: optional(
      record(nonEmpty, nonEmpty, "must be an object of attribute names to field names"),
    ),
    userSchema: optional(
      custom(
        (s) =>
          typeof s === "object" &&
          s !== null &&
          (s as { kind?: string }).kind === "schema" &&
          /object$/i.test(String((s as { type?: string }).type)),
        "must be a valibot object schema",
      ),
    ),
    createUnknownUsers: optional(bool),
    storage: optional(
      custom(
        (s) =>
          typeof s === "object" &&
          s !== null &&
          typeof (s as Storage).getItem === "function" &&
          typeof (s as Storage).setItem === "function",
        "must be an unstorage Storage (createStorage(...))",
      ),
    ),
    secret: union(
      [secretString, array(secretString, "must be an array", [(x) => x.length >= 1, "must not be empty"])],
      "must be a string of at least 32 characters, or an array of them",
    ),
    basePath: optional(path),
    loginRedirect: optional(path),
    origins: optional(
      array(
        url("must be an origin", "must be an origin like https://example.com"),
        "must be an array of origins",
      ),
    ),
    session: optional(
      object(
        {
          cookieName: optional(cookieName),
          idleTimeout: optional(seconds),
          maxAge: optional(seconds),
          maxPerUser: optional(
            number(
              "must be a whole number of sessions",
              [Number.isInteger, "must be a whole number of sessions"],
              [(x) => x >= 1, "must be at least 1"],
            ),
          ),
        },
        "must be an object",
        "is not a known option",
      ),
    ),
    staffGroups: optional(array(nonEmpty, "must be an array of group names")),
    refreshTokenRotation: optional(bool),
    pages: optional(
      record(
        oneOf(pageNames, `must name a page: ${pageNames.slice(0, -1).join(", ")} or ${pageNames.at(-1)}`),
        fn("must be a function that returns HTML"),
        "must be an object of page names to render functions",
      ),
    ),
    text: optional(
      record(string("must be a string"), string("must be a string"), "must be an object of strings"),
    ),
    onError: optional(fn("must be a function")),
    events: optional(
      object(
        Object.fromEntries(eventNames.map((name) => [name, optional(fn("must be a function"))])),
        "must be an object of event listeners",
        `is not a known event (${eventNames.join(", ")})`,
      ),
    ),
    logger: optional(
      union(
        [
          oneOf([false], "must be false"),
          object(
            {
              level: optional(oneOf(logLevelNames, "must be a level")),
              log: optional(fn("must be a function")),
            },
            "must be an object",
            "is not a known option",
          ),
        ],
        `must be false or { level?: ${logLevelNames.map((l) => `"${l}"`).join(" | ")}, log?: (level, message, fields) => void }`,
      ),
    ),
    modPow: optional(fn("must be a function")),
    sha256Hex: optional(fn("must be a function")),
    rateLimit: optional(
      union(
        [
          oneOf([false], "must be false"),
          object(
            {
              perAccount: optional(positive),
              perAddress: optional(positive),
              window: optional(positive),
              clientAddressHeader: optional(header),
              trustProxy: optional(
                object(
                  { hops: positive, header: optional(header) },
                  "must be an object",
                  "is not a known option",
                ),
              ),
            },
            "must be an object",
            "is not a known option",
          ),
        ],
        "must be false or { perAccount?, perAddress?, window?, clientAddressHeader?, trustProxy?: { hops, header? } } with whole positive numbers",
      ),
    ),
    counters: optional(
      custom(
        (c) =>
          typeof c === "object" &&
          c !== null &&
          ["hit", "release", "reset"].every((m) => typeof (c as Record<string, unknown>)[m] === "function"),
        "must be a counter backend: { hit, release, reset }",
      ),
    ),
    storageTimeout: optional(ms),
    cognitoTimeout: optional(ms),
    writableAttributes: optional(array(nonEmpty, "must be an array of Cognito attribute names")),
    now: optional(fn("must be a function that returns ms since the epoch")),
    totpIssuer: optional(
      string("must be a non-empty string without ':'", [
        (x) => /^[^:]{1,64}$/.test(x),
        "must be a non-empty string without ':' of at most 64 characters",
      ]),
    ),
    extensions: optional(
      array(
        custom(
          (e) => typeof e === "object" && e !== null && typeof (e as { name?: unknown }).name === "string",
          "must be a warrant extension (an object with a name)",
        ),
        "must be an array of warrant extensions",
        [
          (list) => new Set(list.map((e) => (e as { name: string }).name)).size === list.length,
          "must not hold two extensions of one name",
        ],
      ),
    ),
  },
  "must be an object",
  "is not a known option",
);
