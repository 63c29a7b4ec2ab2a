/**
 * @module
 * Cognito's managed-login endpoints over plain `fetch` (Web standard), each call with a deadline:
 * `/oauth2/authorize` (a URL for the browser), `/oauth2/token` (the code exchange and the refresh grant),
 * `/oauth2/revoke` and `/logout` (a URL for the browser). The client id goes in the body; the client
 * secret, when there is one, as HTTP Basic. What Cognito refuses is a result; no answer, a 5xx or a
 * timeout throws `WarrantError("cognito_unavailable")` (a 429: `cognito_throttled`), so the routes answer
 * 503 + Retry-After and a refresh keeps the session.
 */
import type { RefreshResult, Tokens } from "../cognito/auth.ts";
import { unverifiedClaims } from "../cognito/jwt.ts";
import { WarrantError } from "../errors.ts";
import type { TokenService } from "../sessions/refresh.ts";

/** What the OAuth client is built from. */
export interface OAuthClientOptions {
  /** The managed-login domain as a base URL, e.g. `https://myapp.auth.eu-west-1.amazoncognito.com`. */
  base: string;
  clientId: string;
  clientSecret: string | undefined;
  /** ms per call. */
  timeout: number;
  fetch: typeof fetch;
  now: () => number;
}

/** What an authorization request asks Cognito for. */
export interface AuthorizeParameters {
  redirectUri: string;
  state: string;
  /** The S256 challenge of the PKCE verifier. */
  codeChallenge: string;
  nonce: string;
  scopes: readonly string[];
  /** Straight to one provider: `identity_provider` or `idp_identifier`. */
  provider?: { parameter: "identity_provider" | "idp_identifier"; value: string };
}

/** The managed-login endpoints of one app client. */
export interface OAuthClient extends TokenService {
  /** Where to send the browser to sign in. */
  authorizeUrl(parameters: AuthorizeParameters): string;
  /** Redeems an authorization code; `{ ok: false }` when Cognito refuses it (used, expired, another verifier). */
  exchange(
    code: string,
    redirectUri: string,
    verifier: string,
  ): Promise<{ ok: true; tokens: Tokens } | { ok: false }>;
  /** Where to send the browser so Cognito's own session cookie goes too. */
  logoutUrl(logoutUri: string): string;
}

/** The longest token-endpoint answer read (three tokens are a few KB). */
const maxAnswer = 64 * 1024;

/** Builds the client; never touches the network until called. */
export function createOAuthClient(options: OAuthClientOptions): OAuthClient {
  const { base, clientId, clientSecret, timeout, now } = options;
  const basic = clientSecret ? `Basic ${btoa(`${clientId}:${clientSecret}`)}` : undefined;

  /** POSTs a form to `path`; the status and the JSON body (`{}` when there is none or it is not JSON). */
  const post = async (path: string, form: Record<string, string>, during: string) => {
    let response: Response;
    let text: string;
    try {
      response = await options.fetch(`${base}${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          ...(basic ? { authorization: basic } : {}),
        },
        body: new URLSearchParams({ ...form, client_id: clientId }).toString(),
        redirect: "error",
        signal: AbortSignal.timeout(timeout),
      });
      text = await response.text();
    } catch (error) {
      // No answer in time, a refused connection, a redirect: nothing Cognito decided.
      throw new WarrantError("cognito_unavailable", `Cognito's ${path} did not answer ${during}`, {
        cause: error,
      });
    }
    if (response.status === 429) throw new WarrantError("cognito_throttled", `Cognito throttled ${during}`);
    if (response.status >= 500) {
      throw new WarrantError(
        "cognito_unavailable",
        `Cognito's ${path} failed ${during} (${response.status})`,
      );
    }
    let body: Record<string, unknown> = {};
    try {
      const parsed = text.length <= maxAnswer && text ? JSON.parse(text) : {};
      if (typeof parsed === "object" && parsed !== null) body = parsed;
    } catch {}
    return { status: response.status, body };
  };

  /** A refusal at the token endpoint: `invalid_client` is the app's misconfiguration, not the person's. */
  const refusal = (status: number, body: Record<string, unknown>, during: string): void => {
    if (body.error === "invalid_client") {
      throw new WarrantError(
        "client_secret_mismatch",
        "the token endpoint refused the app client: check options.clientId and options.clientSecret",
      );
    }
    if (status !== 400 && status !== 401) {
      throw new WarrantError("cognito_rejected", `Cognito's token endpoint answered ${status} ${during}`);
    }
  };

  const tokensOf = (body: Record<string, unknown>, refreshToken: string | undefined): Tokens | null => {
    const { id_token, access_token, refresh_token, expires_in } = body;
    const refresh = typeof refresh_token === "string" && refresh_token ? refresh_token : refreshToken;
    if (typeof id_token !== "string" || typeof access_token !== "string" || !refresh) return null;
    const claims = unverifiedClaims(access_token);
    const lifetime =
      typeof expires_in === "number" && expires_in > 0
        ? expires_in
        : typeof claims.exp === "number" && typeof claims.iat === "number" && claims.exp > claims.iat
          ? claims.exp - claims.iat
          : 3600;
    return {
      idToken: id_token,
      accessToken: access_token,
      refreshToken: refresh,
      expiresAt: now() + lifetime * 1000,
    };
  };

  return {
    authorizeUrl(p) {
      const query = new URLSearchParams({
        response_type: "code",
        client_id: clientId,
        redirect_uri: p.redirectUri,
        state: p.state,
        scope: p.scopes.join(" "),
        code_challenge: p.codeChallenge,
        code_challenge_method: "S256",
        nonce: p.nonce,
      });
      if (p.provider) query.set(p.provider.parameter, p.provider.value);
      return `${base}/oauth2/authorize?${query}`;
    },

    async exchange(code, redirectUri, verifier) {
      const during = "redeeming the authorization code";
      const { status, body } = await post(
        "/oauth2/token",
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
        during,
      );
      if (status !== 200) {
        refusal(status, body, during);
        return { ok: false };
      }
      const tokens = tokensOf(body, undefined);
      if (!tokens)
        throw new WarrantError("cognito_rejected", "Cognito's token endpoint answered without tokens");
      return { ok: true, tokens };
    },

    async refresh(_username, refreshToken) {
      const during = "refreshing the tokens";
      const { status, body } = await post(
        "/oauth2/token",
        { grant_type: "refresh_token", refresh_token: refreshToken },
        during,
      );
      if (status !== 200) {
        refusal(status, body, during);
        return { ok: false, reason: "refused" } satisfies RefreshResult;
      }
      // With refresh-token rotation on, Cognito answers with a new refresh token; else the old one stays.
      const tokens = tokensOf(body, refreshToken);
      if (!tokens)
        throw new WarrantError("cognito_rejected", "Cognito's token endpoint answered without tokens");
      return { ok: true, tokens };
    },

    async revoke(refreshToken) {
      const { status } = await post("/oauth2/revoke", { token: refreshToken }, "revoking the token");
      if (status !== 200)
        throw new WarrantError("cognito_rejected", `Cognito's /oauth2/revoke answered ${status}`);
    },

    logoutUrl(logoutUri) {
      return `${base}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: logoutUri })}`;
    },
  };
}
