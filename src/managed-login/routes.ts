/**
 * @module
 * The two routes of managed login under `basePath`:
 * - `GET /oauth2/start?provider=…&next=…`: a new authorization request (state, PKCE verifier, nonce) kept
 *   server-side and bound to this browser by the `oauth` cookie, then 303 to Cognito's `/oauth2/authorize`;
 * - `GET /oauth2/callback?code=…&state=…`: the request taken (single use) and checked against the cookie,
 *   the code redeemed with the verifier, the ID token verified (issuer, audience, token use, expiry) and
 *   its `nonce` compared, the user mirrored like any login, and a new session (S5).
 * Whatever goes wrong on the way back is one generic answer on the login page; an outage is 503.
 */

import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { keysEqual } from "../api-key.ts";
import type { Tokens } from "../cognito/auth.ts";
import { WarrantError } from "../errors.ts";
import { type Ctx, fail, type RouteDeps, redirect } from "../http/context.ts";
import { safeNext } from "../http/next.ts";
import type { Routes } from "../http/router.ts";
import { finishLogin, loginPage } from "../http/routes/login.ts";
import { randomToken } from "../sessions/cookie.ts";
import { sha256 } from "../sha256.ts";
import type { OAuthClient } from "./oauth.ts";
import type { ManagedLoginSettings } from "./options.ts";
import { createAuthorizationRequests } from "./requests.ts";
import { managedLoginText } from "./text.ts";

/** The name sessions started here carry (`via`), and the extension's name. */
export const managedLoginName = "managed-login";

/** The site's origin: the first configured origin, else the request's. */
export const originOf = (ctx: Ctx, deps: RouteDeps): string => deps.config.origins?.[0] ?? ctx.url.origin;

const utf8 = new TextEncoder();

/** The routes, over the OAuth client of this warrant's config. */
export function managedLoginRoutes(
  deps: RouteDeps,
  settings: ManagedLoginSettings,
  client: OAuthClient,
): Routes {
  const { config } = deps;
  // The warrant merges the extension's words into its text table; the defaults stand in for a bare RouteDeps.
  const text = { ...managedLoginText, ...deps.text };
  const requests = createAuthorizationRequests({ store: deps.store, keyring: deps.keyring, now: config.now });
  const redirectUri = (ctx: Ctx) =>
    settings.redirectUri ?? `${originOf(ctx, deps)}${config.basePath}/oauth2/callback`;

  /** The one answer to a sign-in that did not complete: the login page again (JSON: 400). */
  const refused = (ctx: Ctx, message = text["managedLogin.failed"]!) =>
    ctx.json ? fail(ctx, deps, 400, message) : loginPage(ctx, deps, 400, message);

  /** Best effort: no live refresh token is left behind by a login that was refused after the exchange. */
  const discard = (tokens: Tokens) => client.revoke(tokens.refreshToken).catch(() => {});

  return {
    "/oauth2/start": {
      async GET(ctx) {
        const asked = ctx.url.searchParams.get("provider");
        const provider = asked === null ? undefined : settings.providers.find((p) => p.key === asked);
        if (asked !== null && !provider) return fail(ctx, deps, 400, deps.text["error.badRequest"]);
        const next = safeNext(ctx.url.searchParams.get("next"));
        // One binding per browser, so two tabs that start a login each can both finish.
        const binding = deps.cookies.read(ctx.request, "oauth", ctx.secure) ?? randomToken();
        const verifier = randomToken();
        const nonce = randomToken();
        const uri = redirectUri(ctx);
        const state = await requests.put({
          binding,
          verifier,
          nonce,
          redirectUri: uri,
          ...(next ? { next } : {}),
          createdAt: config.now(),
        });
        const location = client.authorizeUrl({
          redirectUri: uri,
          state,
          codeChallenge: encodeBase64urlNoPadding(sha256(utf8.encode(verifier))),
          nonce,
          scopes: settings.scopes,
          ...(provider ? { provider: { parameter: provider.parameter, value: provider.key } } : {}),
        });
        return redirect(ctx, location, { cookies: [deps.cookies.issue("oauth", binding, ctx.secure)] });
      },
    },

    "/oauth2/callback": {
      async GET(ctx) {
        const query = ctx.url.searchParams;
        const state = query.get("state");
        const request = await requests.take(state);
        if (!request) return refused(ctx, text["managedLogin.expired"]);
        // Taken whatever follows: a state seen in another browser is spent, never redeemed there.
        const binding = deps.cookies.read(ctx.request, "oauth", ctx.secure);
        if (!binding || !keysEqual(binding, request.binding)) return refused(ctx);
        // The provider's or Cognito's own error (a cancelled sign-in, a broken provider): never echoed.
        const code = query.get("code");
        if (query.has("error") || !code || code.length > 2048) return refused(ctx);
        let exchanged: Awaited<ReturnType<OAuthClient["exchange"]>>;
        try {
          exchanged = await client.exchange(code, request.redirectUri, request.verifier);
        } catch (error) {
          // Cognito did not answer: the code may still be good, so a reload may try again.
          if (error instanceof WarrantError && (error.status === 503 || error.status === 429)) {
            await requests.restore(state!, request);
          }
          throw error;
        }
        if (!exchanged.ok) return refused(ctx);
        const { tokens } = exchanged;
        const verified = await deps.verifier.verify(tokens.idToken, "id");
        if (!verified.ok) {
          await discard(tokens);
          if (verified.reason === "jwks_unavailable") {
            throw new WarrantError(
              "cognito_unavailable",
              "the pool's keys could not be fetched to verify the ID token",
            );
          }
          return refused(ctx);
        }
        const { nonce, identities } = verified.claims;
        if (typeof nonce !== "string" || !keysEqual(nonce, request.nonce)) {
          await discard(tokens);
          return refused(ctx);
        }
        // A federated user's providers (Cognito's `identities` claim) stay on the local record.
        const result = await deps.login.completeLogin(
          tokens,
          Array.isArray(identities) ? { identities } : {},
        );
        if (!result.ok) return refused(ctx);
        ctx.cookies.push(deps.cookies.expire("oauth", ctx.secure));
        return finishLogin(
          ctx,
          deps,
          { user: result.user, tokens: result.tokens, via: managedLoginName },
          request.next,
        );
      },
    },
  };
}
