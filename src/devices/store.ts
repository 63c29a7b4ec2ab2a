/**
 * @module
 * This browser's remembered Cognito devices, server-side: the device cookie (`<cookieName>_device`,
 * HttpOnly, 365 days, never the session) holds a random handle; for each user who signed in here,
 * `devices:<sha-256 of the handle>:<sha-256 of a name>` holds, sealed like session tokens, the device key,
 * its group key and the random device password (Cognito has only its verifier). There is one such key per
 * name the person may type (the Cognito username and the email, in lower case), so a login finds its entry
 * with one read, and no write ever reads and rewrites another user's entry. A cookie that is malformed,
 * unknown or whose record does not open is no device: the login is a normal one.
 */

import type { RememberedDevice } from "../cognito/auth.ts";
import type { Ctx, RouteDeps } from "../http/context.ts";
import { deviceCookieAge } from "../limits.ts";
import { randomToken } from "../sessions/cookie.ts";
import type { Sealed } from "../sessions/crypto.ts";
import { sha256Hex } from "../sha256.ts";

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

const keyOf = (handle: string, name: string) =>
  `devices:${sha256Hex(handle)}:${sha256Hex(name.trim().toLowerCase())}`;

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

/** The device store of one warrant. */
export interface DeviceStore {
  /** The entry a login with `name` (typed, or the Cognito username) should use; none when the cookie is absent, malformed, unknown or altered. */
  find(ctx: Ctx, name: string): Promise<DeviceEntry | undefined>;
  /** Writes `entry` under each of its names; the Set-Cookie to send (a new handle when there was none). */
  save(ctx: Ctx, entry: DeviceEntry): Promise<string>;
  /** Removes `entry` from this browser. */
  drop(ctx: Ctx, entry: DeviceEntry): Promise<void>;
}

/** Builds the device store over the warrant's store, keyring and cookies. */
export function createDeviceStore(deps: Pick<RouteDeps, "store" | "keyring" | "cookies">): DeviceStore {
  const handleOf = (ctx: Ctx) => deps.cookies.read(ctx.request, "device", ctx.secure);

  return {
    async find(ctx, name) {
      const handle = handleOf(ctx);
      if (!handle || !name.trim()) return undefined;
      const key = keyOf(handle, name);
      const sealed = await deps.store.get<Sealed>(key);
      if (!sealed || typeof sealed !== "object") return undefined;
      const plain = await deps.keyring.open(sealed, key);
      if (plain === null) return undefined;
      try {
        const entry = JSON.parse(plain) as unknown;
        return isEntry(entry) ? entry : undefined;
      } catch {
        return undefined;
      }
    },

    async save(ctx, entry) {
      const handle = handleOf(ctx) ?? randomToken();
      const plain = JSON.stringify(entry);
      for (const name of entry.names) {
        const key = keyOf(handle, name);
        await deps.store.set(key, await deps.keyring.seal(plain, key), deviceCookieAge);
      }
      return deps.cookies.issue("device", handle, ctx.secure);
    },

    async drop(ctx, entry) {
      const handle = handleOf(ctx);
      if (!handle) return;
      for (const name of entry.names) await deps.store.remove(keyOf(handle, name));
    },
  };
}
