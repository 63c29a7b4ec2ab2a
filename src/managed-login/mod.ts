/**
 * @module
 * `@warrant/cognito/managed-login`: sign people in through Cognito's managed login (hosted UI) with the
 * OAuth 2.0 authorization code flow and PKCE, straight to a federated identity provider (Google, Apple,
 * Microsoft, SAML, OIDC) when asked, into the same server-side sessions as the library's own login form.
 * Sign-out ends the session, revokes its refresh token and sends the browser through Cognito's `/logout`,
 * so Cognito's own cookie goes too. An optional import: apps that do not use it do not bundle it.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * import { managedLogin } from "@warrant/cognito/managed-login";
 *
 * const warrant = createWarrant({
 *   userPoolId: "eu-west-1_AbC123", clientId: "...", secret: env.WARRANT_SECRET,
 *   extensions: [managedLogin({ domain: "auth.example.com", providers: ["Google", "SignInWithApple"] })],
 * });
 * ```
 */
import type { WarrantExtension } from "../http/extensions.ts";
import type { WarrantConfig } from "../options.ts";
import { fill } from "../pages/text.ts";
import { createOAuthClient, type OAuthClient } from "./oauth.ts";
import { type ManagedLoginOptions, resolveManagedLogin } from "./options.ts";
import { managedLoginName, managedLoginRoutes, originOf } from "./routes.ts";
import { managedLoginText } from "./text.ts";

export type { ManagedLoginOptions, ManagedLoginProvider } from "./options.ts";
export { defaultScopes } from "./options.ts";
export { managedLoginText } from "./text.ts";

/**
 * The managed-login extension: pass it in the warrant's `extensions`. Its options are checked here and a
 * bad one throws, naming its path. It serves `GET <basePath>/oauth2/start` and `GET <basePath>/oauth2/callback`,
 * adds the provider buttons to the login page, refreshes its sessions at the token endpoint and ends
 * them at Cognito's `/logout`.
 *
 * @example
 * ```ts
 * const warrant = createWarrant({
 *   userPoolId, clientId, clientSecret, secret,
 *   extensions: [managedLogin({ domain: "myapp", providers: ["Google", { identifier: "example.com", label: "Example SSO" }] })],
 * });
 * ```
 */
export function managedLogin(options: ManagedLoginOptions): WarrantExtension {
  const settings = resolveManagedLogin(options);
  // One client per warrant config (an extension object may serve several warrants).
  const clients = new WeakMap<WarrantConfig, OAuthClient>();
  const clientFor = (config: WarrantConfig): OAuthClient => {
    let client = clients.get(config);
    if (!client) {
      client = createOAuthClient({
        base: settings.base(config.region),
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        timeout: settings.timeout,
        fetch: settings.fetch,
        now: config.now,
      });
      clients.set(config, client);
    }
    return client;
  };

  return {
    name: managedLoginName,
    text: managedLoginText,
    routes: (deps) => managedLoginRoutes(deps, settings, clientFor(deps.config)),
    loginPage({ basePath, next, text }) {
      const start = `${basePath}/oauth2/start`;
      const after = next ? `next=${encodeURIComponent(next)}` : "";
      const providers = settings.providers.length ? settings.providers : [undefined];
      return {
        passwordForm: settings.passwordForm,
        buttons: providers.map((p) =>
          p
            ? {
                id: p.key,
                label:
                  p.label ??
                  text[`managedLogin.provider.${p.key}`] ??
                  fill(text["managedLogin.continue"] ?? managedLoginText["managedLogin.continue"]!, {
                    provider: p.key,
                  }),
                href: `${start}?provider=${encodeURIComponent(p.key)}${after ? `&${after}` : ""}`,
              }
            : {
                label: text["managedLogin.hosted"] ?? managedLoginText["managedLogin.hosted"]!,
                href: after ? `${start}?${after}` : start,
              },
        ),
      };
    },
    tokenService: clientFor,
    afterLogout: (ctx, deps) =>
      clientFor(deps.config).logoutUrl(
        settings.logoutUri ?? `${originOf(ctx, deps)}${deps.config.basePath}/login`,
      ),
  };
}
