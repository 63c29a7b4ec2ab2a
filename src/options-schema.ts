/**
 * @module
 * The valibot schema of the options: every option's shape and the message a bad value gets. The option
 * types and the config derived from them are in `options.ts`.
 */
import type { Storage } from "unstorage";
import * as v from "valibot";

/** The first factors of `USER_AUTH`, as Cognito names them (its `PREFERRED_CHALLENGE` values). */
export const firstFactors = ["PASSWORD_SRP", "PASSWORD", "WEB_AUTHN", "EMAIL_OTP", "SMS_OTP"] as const;

import { eventNames } from "./events.ts";
import { logLevels } from "./logger.ts";
import { pageNames } from "./pages/names.ts";

const ms = v.pipe(
  v.number("must be a positive number of ms"),
  v.minValue(1, "must be a positive number of ms"),
);
const header = v.pipe(v.string(), v.regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/));
const nonEmpty = v.pipe(v.string("must be a non-empty string"), v.minLength(1, "must be a non-empty string"));
const seconds = v.pipe(
  v.number("must be a positive number of seconds"),
  v.integer("must be a positive number of seconds"),
  v.minValue(1, "must be a positive number of seconds"),
);
const secretString = v.pipe(
  v.string("must be a string of at least 32 characters"),
  v.minLength(32, "must be a string of at least 32 characters"),
);
// RFC 6265 token characters only: a name with `;`, `=` or spaces would inject cookie attributes.
const cookieName = v.pipe(
  v.string("must be a cookie name"),
  v.regex(
    /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}$/,
    "must be a cookie name (letters, digits and !#$%&'*+-.^_`|~)",
  ),
);
const path = v.pipe(
  v.string("must be a path"),
  v.regex(/^\/(?:[A-Za-z0-9._~!$&'()*+,;=:@%-]+\/?)*$/, "must be a path that starts with /"),
);

/** The valibot schema of {@link WarrantOptions}: what `resolveConfig` checks, with the message of each option. */
export const optionsSchema: v.GenericSchema<unknown, Record<string, unknown>> = v.strictObject(
  {
    userPoolId: v.pipe(
      v.string("must be a user pool id like eu-west-1_AbC123"),
      v.regex(/^[\w-]+_[0-9A-Za-z]+$/, "must be a user pool id like eu-west-1_AbC123"),
    ),
    clientId: nonEmpty,
    clientSecret: v.optional(nonEmpty),
    region: v.optional(
      v.pipe(v.string("must be a region"), v.regex(/^[a-z0-9-]+$/, "must be a region like eu-west-1")),
    ),
    endpoint: v.optional(v.pipe(v.string("must be a URL"), v.url("must be a URL"))),
    issuer: v.optional(v.pipe(v.string("must be a URL"), v.url("must be a URL"))),
    credentials: v.optional(
      v.union(
        [
          v.object({
            accessKeyId: v.string(),
            secretAccessKey: v.string(),
            sessionToken: v.optional(v.string()),
          }),
          v.function(),
        ],
        "must be { accessKeyId, secretAccessKey } or a credential provider function",
      ),
    ),
    authFlow: v.optional(
      v.picklist(
        ["USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"],
        'must be "USER_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH" or "USER_AUTH"',
      ),
    ),
    preferredChallenge: v.optional(v.picklist(firstFactors, `must be one of ${firstFactors.join(", ")}`)),
    attributeMapping: v.optional(
      v.record(nonEmpty, nonEmpty, "must be an object of attribute names to field names"),
    ),
    userSchema: v.optional(
      v.custom<unknown>(
        (s) =>
          typeof s === "object" &&
          s !== null &&
          (s as { kind?: string }).kind === "schema" &&
          /object$/i.test(String((s as { type?: string }).type)),
        "must be a valibot object schema",
      ),
    ),
    createUnknownUsers: v.optional(v.boolean("must be true or false")),
    storage: v.optional(
      v.custom<unknown>(
        (s) =>
          typeof s === "object" &&
          s !== null &&
          typeof (s as Storage).getItem === "function" &&
          typeof (s as Storage).setItem === "function",
        "must be an unstorage Storage (createStorage(...))",
      ),
    ),
    secret: v.union(
      [secretString, v.pipe(v.array(secretString), v.minLength(1, "must not be empty"))],
      "must be a string of at least 32 characters, or an array of them",
    ),
    basePath: v.optional(path),
    loginRedirect: v.optional(path),
    origins: v.optional(
      v.array(v.pipe(v.string("must be an origin"), v.url("must be an origin like https://example.com"))),
    ),
    session: v.optional(
      v.strictObject(
        {
          cookieName: v.optional(cookieName),
          idleTimeout: v.optional(seconds),
          maxAge: v.optional(seconds),
          maxPerUser: v.optional(
            v.pipe(
              v.number("must be a whole number of sessions"),
              v.integer("must be a whole number of sessions"),
              v.minValue(1, "must be at least 1"),
            ),
          ),
        },
        "must be an object",
      ),
    ),
    staffGroups: v.optional(v.array(nonEmpty)),
    refreshTokenRotation: v.optional(v.boolean("must be true or false")),
    pages: v.optional(
      v.record(
        v.picklist(
          pageNames,
          `must name a page: ${pageNames.slice(0, -1).join(", ")} or ${pageNames.at(-1)}`,
        ),
        v.function("must be a function that returns HTML"),
      ),
    ),
    text: v.optional(v.record(v.string(), v.string("must be a string"))),
    onError: v.optional(v.function("must be a function")),
    events: v.optional(
      v.strictObject(
        Object.fromEntries(eventNames.map((name) => [name, v.optional(v.function("must be a function"))])),
        "must be an object of event listeners",
      ),
    ),
    logger: v.optional(
      v.union(
        [
          v.literal(false),
          v.strictObject({
            level: v.optional(v.picklist([...logLevels, "silent"])),
            log: v.optional(v.function()),
          }),
        ],
        `must be false or { level?: ${[...logLevels, "silent"].map((l) => `"${l}"`).join(" | ")}, log?: (level, message, fields) => void }`,
      ),
    ),
    modPow: v.optional(v.function("must be a function")),
    rateLimit: v.optional(
      v.union(
        [
          v.literal(false),
          v.strictObject({
            perAccount: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
            perAddress: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
            window: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
            clientAddressHeader: v.optional(header),
            trustProxy: v.optional(
              v.strictObject({
                hops: v.pipe(v.number(), v.integer(), v.minValue(1)),
                header: v.optional(header),
              }),
            ),
          }),
        ],
        "must be false or { perAccount?, perAddress?, window?, clientAddressHeader?, trustProxy?: { hops, header? } } with whole positive numbers",
      ),
    ),
    counters: v.optional(
      v.custom<object>(
        (c) =>
          typeof c === "object" &&
          c !== null &&
          ["hit", "release", "reset"].every((m) => typeof (c as Record<string, unknown>)[m] === "function"),
        "must be a counter backend: { hit, release, reset }",
      ),
    ),
    storageTimeout: v.optional(ms),
    cognitoTimeout: v.optional(ms),
    writableAttributes: v.optional(v.array(nonEmpty, "must be an array of Cognito attribute names")),
    now: v.optional(v.function("must be a function that returns ms since the epoch")),
    totpIssuer: v.optional(
      v.pipe(
        v.string("must be a non-empty string without ':'"),
        v.regex(/^[^:]{1,64}$/, "must be a non-empty string without ':' of at most 64 characters"),
      ),
    ),
    extensions: v.optional(
      v.pipe(
        v.array(
          v.custom<{ name: string }>(
            (e) => typeof e === "object" && e !== null && typeof (e as { name?: unknown }).name === "string",
            "must be a warrant extension (an object with a name)",
          ),
        ),
        v.check(
          (list) => new Set(list.map((e) => e.name)).size === list.length,
          "must not hold two extensions of one name",
        ),
      ),
    ),
  },
  "is not a known option",
);
