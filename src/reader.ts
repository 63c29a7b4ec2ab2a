/**
 * @module
 * `@warrant/cognito/sessions`: the session check without the rest, for an app whose users log in through
 * another service on the same store (the account pages on one Worker, an API on another). It reads and
 * slides sessions, guards routes with `protect`, and verifies bearer tokens; it has no pages, no routes
 * and no AWS SDK, so its bundle is a fraction of the full warrant's.
 *
 * It never calls Cognito: it does not refresh tokens (the service that made the session does, the next
 * time that service sees the user) and never revokes them. A session ended there, by logout, "sign out
 * everywhere", a password change or an admin, is gone here at once, since both read the same records;
 * idle and absolute lifetimes are enforced here as there. `session.tokens()` may return an access token
 * that has expired.
 *
 * @example
 * ```ts
 * import { createSessionReader } from "@warrant/cognito/sessions";
 * const sessions = createSessionReader({ userPoolId, clientId, secret, storage });
 * export default { fetch: sessions.protect((request, { user }) => new Response(`Hello ${user.username}`)) };
 * ```
 */
import type { Storage } from "unstorage";
import { lazyVerifier } from "./cognito/load.ts";
import { WarrantError } from "./errors.ts";
import { createBearer } from "./http/bearer.ts";
import { logError } from "./http/context.ts";
import { createProtect } from "./http/protect.ts";
import {
  type DefaultAttributeMapping,
  type ObjectSchema,
  resolveSessionConfig,
  type SessionConfig,
  type WarrantOptions,
} from "./options.ts";
import { errorText } from "./pages/error-text.ts";
import { errorPage } from "./pages/html.ts";
import type { Text } from "./pages/text.ts";
import { createCookies } from "./sessions/cookie.ts";
import { createKeyring } from "./sessions/crypto.ts";
import type { Refresh } from "./sessions/refresh.ts";
import { createSessionCore } from "./sessions/session.ts";
import { createSessions, type SessionUser } from "./sessions/store.ts";
import { createStore } from "./storage.ts";
import type { WarrantUser } from "./users/types.ts";
import type { Warrant } from "./warrant.ts";

export type { BearerContext, BearerOptions } from "./http/bearer.ts";
export type { ProtectContext, ProtectedHandler } from "./http/protect.ts";
export type { SessionConfig } from "./options.ts";
export type { Session, SessionUser } from "./sessions/store.ts";
export type { UserOf, WarrantUser } from "./users/types.ts";

/** Options of {@link createSessionReader}: the warrant's options, with the store it shares required. */
export type SessionReaderOptions<
  M extends Readonly<Record<string, string>> = Readonly<Record<string, string>>,
  S extends ObjectSchema | undefined = ObjectSchema | undefined,
> = WarrantOptions<M, S> & { storage: Storage };

/**
 * What {@link createSessionReader} builds: the read side of `Warrant`. `getSession` does not refresh
 * tokens here (see the module doc); the others behave as the warrant's. Its `config` is the warrant's
 * without `userSchema`, which only the user store reads.
 */
export type SessionReader<U = SessionUser> = Pick<
  Warrant<U>,
  "getSession" | "protect" | "verifyToken" | "bearer"
> & {
  /** The validated, defaulted, frozen options. */
  readonly config: SessionConfig;
};

/**
 * Builds a session reader over the store another warrant writes. The options are checked as
 * `createWarrant` checks them (the same `secret`, `session` and `basePath` as the service that logs
 * people in, or its cookies and records will not be understood). Never touches the network.
 *
 * @example
 * ```ts
 * const sessions = createSessionReader({ userPoolId, clientId, secret, storage });
 * const session = await sessions.getSession(request);
 * ```
 */
export function createSessionReader<
  const M extends Readonly<Record<string, string>> = DefaultAttributeMapping,
  S extends ObjectSchema | undefined = undefined,
>(options: SessionReaderOptions<M, S>): SessionReader<WarrantUser<M, S>> {
  // Typed as createWarrant types its users: a view of the records the same options wrote.
  return buildReader(options) as unknown as SessionReader<WarrantUser<M, S>>;
}

function buildReader(options: SessionReaderOptions): SessionReader {
  const config = resolveSessionConfig(options);
  const store = createStore(options.storage, config.storageTimeout, config.now);
  const records = createSessions(config, store, createKeyring(config.secrets));
  // In place of a refresh: the record as it is, its idle expiry slid as on any other request.
  const refresh: Refresh = async (id) => {
    const record = await records.read(id);
    return record && records.touch(id, record);
  };
  const sessions = createSessionCore({
    config,
    records,
    refresh,
    cookies: createCookies(config),
    cognito: () =>
      Promise.reject(new WarrantError("cognito_unavailable", "a session reader never calls Cognito")),
  });
  const verifier = lazyVerifier(config);
  return {
    config,
    getSession: sessions.get,
    protect: createProtect({
      config,
      sessions,
      pages: { error: errorPage },
      // The reader shows only the error page and failures: their words, not the whole table.
      text: { ...errorText, ...config.text } as Text,
      onError: config.onError ?? logError(config.logger),
    }),
    verifyToken: (token, tokenUse) => verifier.verify(token, tokenUse),
    bearer: createBearer(verifier),
  };
}
