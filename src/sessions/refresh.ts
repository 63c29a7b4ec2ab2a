/**
 * @module
 * Refreshing a session's Cognito tokens: one refresh per session at a time in this instance
 * (single-flight), re-read after winning (another instance may have refreshed, or the user logged out),
 * and never resurrecting a session deleted meanwhile (SECURITY.md S10, S13). A refresh token Cognito
 * refuses ends the session; an outage keeps it, and while the access token still works the request
 * carries on with it. A session an extension started (its record's `via`) refreshes through that
 * extension's {@link TokenService} (managed login: the token endpoint), any other through the SDK.
 *
 * Across instances: where the store has a lock (Redis), one instance refreshes a session at a time and
 * the others wait for the tokens it stores ({@link refreshLockMs}). Everywhere, a refused refresh first
 * re-reads the session: with refresh-token rotation another instance may have spent the token and
 * stored newer ones, and those are used instead of ending the session (C4).
 */
import type { RefreshResult } from "../cognito/auth.ts";
import { groupsOf, unverifiedClaims } from "../cognito/jwt.ts";
import type { LoadCognito } from "../cognito/load.ts";
import { WarrantError } from "../errors.ts";
import { emit } from "../events.ts";
import type { WarrantConfig } from "../options.ts";
import type { Store } from "../storage.ts";
import { type LocalUser, userKey } from "../users/store.ts";
import { keys, SessionInvalid, type SessionRecord, type Sessions, type SessionUser } from "./store.ts";

/** Refresh when the access token expires within this many ms. */
export const refreshWindow = 60_000;
/** How long one instance holds a session's refresh lock (ms); the others wait up to this for its tokens. */
export const refreshLockMs = 5000;
/** After a refused refresh with rotation, how long to look for the tokens another instance is storing (ms). */
export const rotationGraceMs = 1000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

  /** The session once another instance has refreshed it; `undefined` when none did in time. */
  const refreshedElsewhere = async (id: string, before: SessionRecord) => {
    // Wall time, not the configured clock: this waits for another instance, not for a token to expire.
    const until = Date.now() + refreshLockMs;
    while (Date.now() < until) {
      await pause(50);
      const now = await records.read(id);
      if (!now || now.accessExpiresAt > before.accessExpiresAt) return now;
    }
    return undefined;
  };
  /** The session if it now holds another refresh token than `spent` (stored by another instance). */
  const newerTokens = async (id: string, spent: string) => {
    const tries = config.refreshTokenRotation ? Math.ceil(rotationGraceMs / 100) : 1;
    for (let i = 0; i < tries; i++) {
      if (i) await pause(100);
      const now = await records.read(id);
      if (!now) return null;
      try {
        if ((await records.openTokens(id, now)).refreshToken !== spent) return now;
      } catch (error) {
        if (!(error instanceof SessionInvalid)) throw error;
      }
    }
    return undefined;
  };

  const run = async (id: string): Promise<SessionRecord | null> => {
    const current = await records.read(id);
    if (!current) return null;
    if (current.accessExpiresAt - config.now() >= refreshWindow) return current;
    const lock = keys.refreshLock(id);
    const locked = store.lock ? await store.lock(lock, refreshLockMs) : false;
    if (store.lock && !locked) {
      const other = await refreshedElsewhere(id, current);
      if (other !== undefined) return other;
    }
    try {
      return await refreshNow(id, current);
    } finally {
      if (locked) await store.unlock?.(lock).catch(() => {});
    }
  };

  const refreshNow = async (id: string, current: SessionRecord): Promise<SessionRecord | null> => {
    const now = config.now();
    let tokens: Awaited<ReturnType<Sessions["openTokens"]>>;
    try {
      tokens = await records.openTokens(id, current);
    } catch (error) {
      if (!(error instanceof SessionInvalid)) throw error;
      await records.destroy(id, current);
      await emit(config, "sessionEnd", { username: current.username, reason: "invalid" });
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
      const newer = await newerTokens(id, tokens.refreshToken);
      if (newer !== undefined) return newer;
      await records.destroy(id, current);
      await emit(config, "sessionEnd", { username: current.username, reason: "refresh_refused" });
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
