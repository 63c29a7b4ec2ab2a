/**
 * @module
 * This browser's remembered Cognito devices, server-side: the device cookie (`<cookieName>_device`,
 * HttpOnly, 365 days, never the session) holds a random handle; `devices:<sha-256 of the handle>` holds,
 * sealed like session tokens, one entry per user who signed in here: the device key, its group key and
 * the random device password (Cognito has only its verifier). An entry is found at login by the name
 * typed (the Cognito username or the email, in any letter case). A cookie that is malformed, unknown or
 * whose record does not open is no device: the login is a normal one.
 */
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeHexLowerCase } from "@oslojs/encoding";
import type { RememberedDevice } from "../cognito/auth.ts";
import type { Ctx, RouteDeps } from "../http/context.ts";
import { deviceCookieAge } from "../limits.ts";
import { randomToken } from "../sessions/cookie.ts";
import type { Sealed } from "../sessions/crypto.ts";

/** One user's device on this browser. */
export interface DeviceEntry extends RememberedDevice {
  /** The Cognito username. */
  username: string;
  /** Names the person may type at login for this entry (username, email), lower case. */
  names: string[];
  /** The person chose "remember this browser" (UpdateDeviceStatus remembered). */
  remembered: boolean;
  createdAt: number;
}

interface DeviceRecord {
  v: 1;
  entries: DeviceEntry[];
}

/** At most this many people's devices per browser; the oldest goes first. */
const maxEntries = 8;
const utf8 = new TextEncoder();
const keyOf = (handle: string) => `devices:${encodeHexLowerCase(sha256(utf8.encode(handle)))}`;

const isEntry = (e: unknown): e is DeviceEntry => {
  const d = e as DeviceEntry;
  return (
    typeof d === "object" &&
    d !== null &&
    typeof d.username === "string" &&
    typeof d.key === "string" &&
    typeof d.groupKey === "string" &&
    typeof d.password === "string" &&
    typeof d.remembered === "boolean" &&
    Array.isArray(d.names) &&
    d.names.every((n) => typeof n === "string")
  );
};

/** Where the coarse user agent of a session is kept (`session-agents:<session handle>`), for its lifetime. */
export const agentKey = (handle: string): string => `session-agents:${handle}`;

/** The sessions with the coarse user agent each was started from, when known. */
export async function withAgents<T extends { handle: string }>(
  deps: Pick<RouteDeps, "store">,
  sessions: T[],
): Promise<(T & { agent?: string })[]> {
  const agents = await Promise.all(sessions.map((s) => deps.store.get<string>(agentKey(s.handle))));
  return sessions.map((s, i) => {
    const agent = agents[i];
    return typeof agent === "string" && agent ? { ...s, agent } : s;
  });
}

/** The device store of one warrant. */
export interface DeviceStore {
  /** This browser's entries (none when the cookie is absent, malformed, unknown or altered). */
  entries(ctx: Ctx): Promise<DeviceEntry[]>;
  /** The entry a login with `typed` should use. */
  forLogin(ctx: Ctx, typed: string): Promise<DeviceEntry | undefined>;
  /** Writes `entry` (replacing the user's earlier one); the Set-Cookie to send (a new handle when there was none). */
  save(ctx: Ctx, entry: DeviceEntry): Promise<string>;
  /** Removes the entry with this device key, if this browser has it. */
  drop(ctx: Ctx, deviceKey: string): Promise<void>;
}

/** Builds the device store over the warrant's store, keyring and cookies. */
export function createDeviceStore(deps: Pick<RouteDeps, "store" | "keyring" | "cookies">): DeviceStore {
  const handleOf = (ctx: Ctx) => deps.cookies.read(ctx.request, "device", ctx.secure);

  const read = async (handle: string | null): Promise<DeviceEntry[]> => {
    if (!handle) return [];
    const key = keyOf(handle);
    const sealed = await deps.store.get<Sealed>(key);
    if (!sealed || typeof sealed !== "object") return [];
    const plain = await deps.keyring.open(sealed, key);
    if (plain === null) return [];
    try {
      const record = JSON.parse(plain) as DeviceRecord;
      return record?.v === 1 && Array.isArray(record.entries) ? record.entries.filter(isEntry) : [];
    } catch {
      return [];
    }
  };

  const write = async (handle: string, entries: DeviceEntry[]) => {
    const key = keyOf(handle);
    if (!entries.length) return deps.store.remove(key);
    const record: DeviceRecord = { v: 1, entries };
    await deps.store.set(key, await deps.keyring.seal(JSON.stringify(record), key), deviceCookieAge);
  };

  return {
    entries: (ctx) => read(handleOf(ctx)),

    async forLogin(ctx, typed) {
      const name = typed.trim().toLowerCase();
      if (!name) return undefined;
      return (await read(handleOf(ctx))).find((e) => e.names.includes(name));
    },

    async save(ctx, entry) {
      const handle = handleOf(ctx) ?? randomToken();
      const others = (await read(handle)).filter((e) => e.username !== entry.username && e.key !== entry.key);
      await write(handle, [...others, entry].slice(-maxEntries));
      return deps.cookies.issue("device", handle, ctx.secure);
    },

    async drop(ctx, deviceKey) {
      const handle = handleOf(ctx);
      if (!handle) return;
      const entries = await read(handle);
      const left = entries.filter((e) => e.key !== deviceKey);
      if (left.length !== entries.length) await write(handle, left);
    },
  };
}
