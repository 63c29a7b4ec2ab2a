/**
 * @module
 * The `events` option: the application hears what happened (a login, a logout, a sign-up, a password
 * change, a challenge asked, a session ended), after it happened. Events are notifications, as Auth.js's
 * `events` are: they cannot change an outcome (that would be a hook, as better-auth's `hooks` are), so a
 * failing or slow listener never breaks a response. Each listener is awaited up to {@link eventDeadline}
 * ms; an error it throws is caught and logged (its name only), and one that takes longer is left to
 * finish on its own (on Workers, only as long as the request lives).
 *
 * Payloads carry who and why (the Cognito username, the user, the request id, a reason), never a
 * password, code, token, session id or secret.
 *
 * Adding an event: its payload to {@link WarrantEventMap} and its name to the table beside it (the
 * compiler asks for it; the options schema is built from {@link eventNames}, so an unknown name is refused), and `await emit(config, "name", {...})`
 * where it happens. An extension emits the same way, with the config its hooks receive.
 */
import type { Logger } from "./logger.ts";

/** Why a session ended. */
export type SessionEndReason =
  /** The person signed out (`POST /logout`, `warrant.logout`). */
  | "logout"
  /** Idle timeout or absolute lifetime passed. */
  | "expired"
  /** Cognito refused the refresh token (revoked, expired, the user disabled or signed out globally). */
  | "refresh_refused"
  /** Cognito refused the session's tokens on a call (GetUser and the like). */
  | "revoked"
  /** The sealed tokens no longer open (a secret no longer configured, tampering). */
  | "invalid"
  /** A new login in the same browser replaced it (a new id at every login, S5). */
  | "replaced"
  /** `warrant.signOutEverywhere`, or staff's "sign out" of the user. */
  | "signed_out_everywhere"
  /** The user changed the password: every other session ends. */
  | "password_change"
  /** The password was reset with a code: every session ends. */
  | "password_reset"
  /** Staff disabled the user. */
  | "disabled"
  /** One session ended from the user's list of sessions (`warrant.endSession`). */
  | "end_session";

/** The user a login event carries (the session user: local record, mapped fields, groups). */
export interface EventUser {
  username: string;
  sub: string;
  groups: string[];
  [field: string]: unknown;
}

/** What every event carries. */
export interface EventBase {
  /** The request the event happened in; absent when it happened outside one (e.g. `signOutEverywhere`). */
  requestId?: string;
  /** When, in ms since the epoch (the configured clock). */
  at: number;
}

/** Every event by name, with its payload. */
export interface WarrantEventMap {
  /** A session started for a login (password, challenge, passkey, managed login, or `createSession`). */
  login: EventBase & { username: string; user: EventUser; via?: string };
  /** The person signed out. A `sessionEnd` with reason `"logout"` follows. */
  logout: EventBase & { username: string };
  /** Cognito accepted a sign-up (the account is not confirmed yet). `username` is what was typed. */
  signUp: EventBase & { username: string };
  /** A password was changed (signed in) or reset (with a code). `username` is the Cognito username for a change, what was typed for a reset. */
  passwordChange: EventBase & { username: string; reason: "change" | "reset" };
  /** Cognito asked for a challenge during a login (MFA, a new password, a passkey, a factor choice). */
  challenge: EventBase & { username: string; challenge: string };
  /** A session ended, for any reason; `count` when several of one user ended at once. */
  sessionEnd: EventBase & { username: string; reason: SessionEndReason; count?: number };
  /** The devices extension: a browser was remembered ("remember this browser"); it skips MFA from now on. */
  deviceRemembered: EventBase & { username: string; deviceKey: string };
  /** The devices extension: a device was forgotten, by the person or by staff; it is asked for MFA again. */
  deviceForgotten: EventBase & { username: string; deviceKey: string; by: "user" | "staff" };
  /** The devices extension: one of Cognito's own sessions was ended (RevokeUserSession). */
  cognitoSessionEnd: EventBase & { username: string; by: "user" | "staff" };
}

// Every name of the map, and no other: the mapped type makes a missing or extra name a type error.
const eventTable: { readonly [K in EventName]: true } = {
  login: true,
  logout: true,
  signUp: true,
  passwordChange: true,
  challenge: true,
  sessionEnd: true,
  deviceRemembered: true,
  deviceForgotten: true,
  cognitoSessionEnd: true,
};

/** The event names, in one list: the options schema accepts these and only these. */
export const eventNames: readonly EventName[] = Object.freeze(Object.keys(eventTable) as EventName[]);

/** An event name: a key of {@link WarrantEventMap}. */
export type EventName = keyof WarrantEventMap;

/** The `events` option: a listener per event name, each optional; `U` types the user of `login`. */
export type EventListeners<U = EventUser> = {
  [K in EventName]?: (
    event: K extends "login" ? Omit<WarrantEventMap[K], "user"> & { user: U } : WarrantEventMap[K],
  ) => void | Promise<void>;
};

/** How long a listener is awaited before the response goes on without it, in ms. */
export const eventDeadline = 1000;

/** What {@link emit} needs: the config has all three. */
export interface EmitTarget {
  readonly events: Readonly<EventListeners>;
  readonly logger: Logger;
  readonly now: () => number;
}

/** A short random id that ties a response to its log line. */
export function newRequestId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The HTTP layer's requests and their ids; `null` until something names the request (made then). */
const requestIds = new WeakMap<Request, string | null>();

/**
 * Marks a request as the HTTP layer's, so a core that only has the request can name it in an event.
 * Its id is made the first time it is asked for ({@link requestIdOf}, {@link requestIdFor}): a request
 * that is never logged nor named in an event (a signed-in `protect`ed one) costs no random id.
 */
export function tagRequest(request: Request): void {
  if (!requestIds.has(request)) requestIds.set(request, null);
}

/** The id of a request of the HTTP layer's, made now if it has none yet; `undefined` for any other. */
export function requestIdOf(request: Request | undefined): string | undefined {
  if (!request) return undefined;
  const id = requestIds.get(request);
  return id === null ? requestIdFor(request) : id;
}

/** The request's id, made and tagged now if it has none. */
export function requestIdFor(request: Request): string {
  let id = requestIds.get(request);
  if (typeof id !== "string") {
    id = newRequestId();
    requestIds.set(request, id);
  }
  return id;
}

const overdue = Symbol("overdue");

const nameOf = (error: unknown) => {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && /^[A-Za-z]{1,40}$/.test(name) ? name : "Error";
};

/**
 * Tells the application an event happened: logs it at `info`, then awaits its listener up to
 * {@link eventDeadline} ms. Never throws.
 *
 * @example
 * ```ts
 * await emit(config, "logout", { username: record.username, requestId: requestIdOf(request) });
 * ```
 */
export async function emit<K extends EventName>(
  target: EmitTarget,
  name: K,
  payload: Omit<WarrantEventMap[K], "at">,
): Promise<void> {
  const event = { ...payload, at: target.now() } as WarrantEventMap[K];
  const reason = (payload as { reason?: string }).reason;
  target.logger.info(`event ${name}`, { event: name, requestId: event.requestId, reason });
  const listener = target.events[name] as ((event: WarrantEventMap[K]) => unknown) | undefined;
  if (!listener) return;
  const failed = (error: unknown) =>
    target.logger.error(`events.${name} threw (${nameOf(error)}); the request went on`, {
      event: name,
      requestId: event.requestId,
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const running = Promise.resolve().then(() => listener(event));
    const late = new Promise<typeof overdue>((resolve) => {
      timer = setTimeout(() => resolve(overdue), eventDeadline);
    });
    if ((await Promise.race([running, late])) === overdue) {
      running.catch(failed);
      target.logger.warn(`events.${name} took longer than ${eventDeadline} ms; the response went on`, {
        event: name,
        requestId: event.requestId,
      });
    }
  } catch (error) {
    failed(error);
  } finally {
    clearTimeout(timer);
  }
}
