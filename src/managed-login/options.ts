/**
 * @module
 * The options of `managedLogin()`, validated once with valibot like the warrant's own, and the settings
 * derived from them. The domain becomes a base URL only once the warrant's region is known.
 */
import * as v from "valibot";
import { WarrantError } from "../errors.ts";

/** An identity provider shown as a button on the login page. */
export interface ManagedLoginProvider {
  /**
   * The provider's name in the user pool, sent as `identity_provider` (e.g. `"Google"`, `"SignInWithApple"`,
   * `"Facebook"`, `"LoginWithAmazon"`, a SAML or OIDC provider's name, or `"COGNITO"` for the pool's own form).
   */
  name?: string;
  /** An identifier of the provider (e.g. a SAML provider's email domain), sent as `idp_identifier` instead. */
  identifier?: string;
  /** The button's text. @default the text `managedLogin.provider.<name>`, else "Continue with <name>" */
  label?: string;
}

/** Options of `managedLogin()`. */
export interface ManagedLoginOptions {
  /**
   * The user pool's managed-login domain: a prefix (`"myapp"` → `https://myapp.auth.<region>.amazoncognito.com`),
   * a host (`"auth.example.com"`, a custom domain, or a whole prefix domain), or a full URL (an emulator's,
   * `"http://127.0.0.1:9229"`; plain http only on a loopback address).
   */
  domain: string;
  /**
   * Where Cognito sends the browser back: must be one of the app client's callback URLs.
   * @default `<origin><basePath>/oauth2/callback`, the origin being `options.origins[0]`, else the request's
   */
  redirectUri?: string;
  /**
   * The OAuth scopes asked for; `openid` (for the ID token) and `aws.cognito.signin.user.admin` (the user's
   * attributes, read like any login's, and the profile pages) are required.
   * @default ["openid", "email", "profile", "aws.cognito.signin.user.admin"]
   */
  scopes?: string[];
  /**
   * The identity providers shown as buttons, each sent straight to its provider (`identity_provider` /
   * `idp_identifier`). A name alone is a provider name. With none, one button opens Cognito's own page.
   * @default []
   */
  providers?: (string | ManagedLoginProvider)[];
  /**
   * Where Cognito's `/logout` sends the browser after a managed-login session signs out: must be one of the
   * app client's sign-out URLs.
   * @default `<origin><basePath>/login`
   */
  logoutUri?: string;
  /** `false` shows only the provider buttons on the login page (pools without passwords). @default true */
  passwordForm?: boolean;
  /** How long one call to the token or revocation endpoint may take, in ms. @default 5000 */
  timeout?: number;
  /** The `fetch` the OAuth calls use (tests inject one). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** A provider as the routes use it: what is sent to Cognito and what the button says. */
export interface ProviderSetting {
  /** The value of `?provider=` on the start route. */
  key: string;
  parameter: "identity_provider" | "idp_identifier";
  label: string | undefined;
}

/** The validated options. */
export interface ManagedLoginSettings {
  /** The domain, resolved against a region: a base URL without a trailing slash. */
  base(region: string): string;
  redirectUri: string | undefined;
  scopes: readonly string[];
  providers: readonly ProviderSetting[];
  logoutUri: string | undefined;
  passwordForm: boolean;
  timeout: number;
  fetch: typeof fetch;
}

/** The scopes asked for when none are configured. */
export const defaultScopes: readonly string[] = Object.freeze([
  "openid",
  "email",
  "profile",
  "aws.cognito.signin.user.admin",
]);

const loopback = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;
const providerKey = v.pipe(v.string(), v.regex(/^\S{1,40}$/, "must be 1 to 40 characters without spaces"));
const absoluteUrl = v.pipe(
  v.string("must be an absolute http(s) URL"),
  v.url("must be an absolute http(s) URL"),
  v.regex(/^https?:\/\//, "must be an absolute http(s) URL"),
);

const schema = v.strictObject(
  {
    domain: v.pipe(
      v.string("must be a domain prefix, a host or a URL"),
      v.minLength(1, "must be a domain prefix, a host or a URL"),
    ),
    redirectUri: v.optional(absoluteUrl),
    scopes: v.optional(
      v.pipe(
        v.array(
          v.pipe(v.string(), v.regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "must be OAuth scope names")),
          "must be a list of scope names",
        ),
        v.check(
          (list) => list.includes("openid") && list.includes("aws.cognito.signin.user.admin"),
          'must include "openid" and "aws.cognito.signin.user.admin"',
        ),
      ),
    ),
    providers: v.optional(
      v.array(
        v.union(
          [
            providerKey,
            v.pipe(
              v.strictObject({
                name: v.optional(providerKey),
                identifier: v.optional(providerKey),
                label: v.optional(v.pipe(v.string(), v.minLength(1))),
              }),
              v.check(
                (p) => (p.name === undefined) !== (p.identifier === undefined),
                "needs a name or an identifier",
              ),
            ),
          ],
          "must be provider names or { name | identifier, label? }",
        ),
      ),
    ),
    logoutUri: v.optional(absoluteUrl),
    passwordForm: v.optional(v.boolean("must be true or false")),
    timeout: v.optional(
      v.pipe(v.number("must be a positive number of ms"), v.minValue(1, "must be a positive number of ms")),
    ),
    fetch: v.optional(v.function("must be a fetch function")),
  },
  "is not a known option",
);

function baseOf(domain: string): (region: string) => string {
  if (/^https?:\/\//i.test(domain)) {
    let url: URL;
    try {
      url = new URL(domain);
    } catch {
      throw new WarrantError(
        "invalid_options",
        "managedLogin options.domain must be a domain prefix, a host or a URL",
      );
    }
    if (url.protocol === "http:" && !loopback.test(url.hostname)) {
      throw new WarrantError(
        "invalid_options",
        "managedLogin options.domain must use https (plain http only on a loopback address)",
      );
    }
    const base = `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
    return () => base;
  }
  if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(domain)) {
    return (region) => `https://${domain}.auth.${region}.amazoncognito.com`;
  }
  if (/^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d{1,5})?$/i.test(domain)) {
    const base = `https://${domain.toLowerCase()}`;
    return () => base;
  }
  throw new WarrantError(
    "invalid_options",
    "managedLogin options.domain must be a domain prefix, a host or a URL",
  );
}

/** Validates the options; throws a `WarrantError` naming the option path. */
export function resolveManagedLogin(options: ManagedLoginOptions): ManagedLoginSettings {
  if (typeof options !== "object" || options === null) {
    throw new WarrantError("invalid_options", "managedLogin options must be an object");
  }
  const result = v.safeParse(schema, options);
  if (!result.success) {
    let issue: v.BaseIssue<unknown> = result.issues[0];
    for (const nested of issue.issues ?? []) {
      if ((nested.path?.length ?? 0) > (issue.path?.length ?? 0)) issue = nested;
    }
    const path = (issue.path ?? []).map((p) =>
      typeof p.key === "number" ? `[${p.key}]` : `.${String(p.key)}`,
    );
    const message =
      issue.type === "strict_object"
        ? issue.expected === "never"
          ? "is not a known option"
          : "is required"
        : issue.message;
    throw new WarrantError("invalid_options", `managedLogin options${path.join("")} ${message}`);
  }
  const o = result.output;
  const keys = (o.providers ?? []).map((p) => (typeof p === "string" ? p : (p.name ?? p.identifier)));
  if (new Set(keys).size !== keys.length) {
    throw new WarrantError(
      "invalid_options",
      "managedLogin options.providers must not name a provider twice",
    );
  }
  return Object.freeze({
    base: baseOf(o.domain),
    redirectUri: o.redirectUri,
    scopes: Object.freeze([...(o.scopes ?? defaultScopes)]),
    providers: Object.freeze(
      (o.providers ?? []).map((p): ProviderSetting => {
        if (typeof p === "string") return { key: p, parameter: "identity_provider", label: undefined };
        return p.name !== undefined
          ? { key: p.name, parameter: "identity_provider", label: p.label }
          : { key: p.identifier!, parameter: "idp_identifier", label: p.label };
      }),
    ),
    logoutUri: o.logoutUri,
    passwordForm: o.passwordForm ?? true,
    timeout: o.timeout ?? 5000,
    // Looked up per call, so a platform (or test) that replaces the global later is respected.
    fetch:
      (o.fetch as typeof fetch | undefined) ??
      ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)),
  });
}
