/**
 * @module
 * Refreshing a session's Cognito tokens: one refresh per session at a time in this instance
 * (single-flight), re-read after winning (another instance may have refreshed, or the user logged out),
 * and never resurrecting a session deleted meanwhile (SECURITY.md S10, S13). A refresh token Cognito
 * refuses ends the session; an outage keeps it, and while the access token still works the request
 * carries on with it. A session an extension started (its record's `via`) refreshes through that
 * extension's {@link TokenService} (managed login: the token endpoint), any other through the SDK.
 */
import type { RefreshResult } from "../cognito/auth.ts";
import { groupsOf, unverifiedClaims } from "../cognito/jwt.ts";
import type { LoadCognito } from "../cognito/load.ts";
import { WarrantError } from "../errors.ts";
import type { WarrantConfig } from "../options.ts";
import type { Store } from "../storage.ts";
import { type LocalUser, userKey } from "../users/store.ts";
import { SessionInvalid, type SessionRecord, type Sessions, type SessionUser } from "./store.ts";

/** Refresh when the access token expires within this many ms. */
export const refreshWindow = 60_000;

/**
 * How the tokens of one kind of session are refreshed and revoked. The Cognito API is the default one;
 * an extension brings its own for the sessions it starts (named by the record's `via`).
 */
export interface TokenService {
  /**
   * New tokens, or `{ ok: false }` when the refresh token is refused; an outage throws `WarrantError`.
   * `deviceKey`: the Cognito device the tokens were issued to, which the refresh must name.
   */
  refresh(username: string, refreshToken: string, deviceKey?: string): Promise<RefreshResult>;
  /** Revokes a refresh token; throws when that could not be done. */
  revoke(refreshToken: string): Promise<void>;
}

/** The token services of extensions, by extension name. */
export type TokenServices = ReadonlyMap<string, TokenService>;

/** The service that refreshes and revokes a session's tokens: its extension's, else the Cognito API. */
export async function tokenServiceOf(
  record: Pick<SessionRecord, "via">,
  services: TokenServices | undefined,
  cognito: LoadCognito,
): Promise<TokenService> {
  return (record.via ? services?.get(record.via) : undefined) ?? (await cognito());
}

/** Refreshes a session by id; `null` when the session is gone (ended, or its refresh token refused). */
export type Refresh = (id: string) => Promise<SessionRecord | null>;

/** Builds the single-flight refresh over the session records. */
export function createRefresh(deps: {
  config: WarrantConfig;
  store: Store;
  records: Sessions;
  cognito: LoadCognito;
  /** The extensions' token services, by name. @default none */
  tokenServices?: TokenServices;
}): Refresh {
  const { config, store, records } = deps;
  const inflight = new Map<string, Promise<SessionRecord | null>>();

  const run = async (id: string): Promise<SessionRecord | null> => {
    const current = await records.read(id);
    if (!current) return null;
    const now = config.now();
    if (current.accessExpiresAt - now >= refreshWindow) return current;
    let tokens: Awaited<ReturnType<Sessions["openTokens"]>>;
    try {
      tokens = await records.openTokens(id, current);
    } catch (error) {
      if (!(error instanceof SessionInvalid)) throw error;
      await records.destroy(id, current.username);
      return null;
    }
    let result: RefreshResult;
    try {
      const service = await tokenServiceOf(current, deps.tokenServices, deps.cognito);
      result = await service.refresh(current.username, tokens.refreshToken, tokens.deviceKey);
    } catch (error) {
      const transient =
        error instanceof WarrantError &&
        (error.code === "cognito_unavailable" || error.code === "cognito_throttled");
      if (transient && current.accessExpiresAt > now) return current;
      throw error;
    }
    if (!result.ok) {
      await records.destroy(id, current.username);
      return null;
    }
    const fresh = result.tokens;
    const local = await store.get<LocalUser>(userKey(current.username));
    const user: SessionUser = {
      ...current.user,
      ...(local ?? {}),
      groups: groupsOf(unverifiedClaims(fresh.idToken)),
    };
    return records.replaceTokens(id, fresh, user);
  };

  return (id) => {
    let running = inflight.get(id);
    if (!running) {
      running = run(id).finally(() => inflight.delete(id));
      inflight.set(id, running);
    }
    return running;
  };
}
