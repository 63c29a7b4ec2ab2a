/**
 * @module
 * What the devices extension does around a login: the remembered device a login names, and after a login
 * that succeeded, ConfirmDevice for a device Cognito registered (its password and verifier made here),
 * UpdateDeviceStatus when the person ticked "remember this browser", and the device cookie. None of it
 * can fail a login: a Cognito outage here leaves the browser unremembered, reported through `onError`.
 */
import type { RememberedDevice } from "../cognito/auth.ts";
import { confirmDevice, setDeviceRemembered } from "../cognito/devices.ts";
import { emit } from "../events.ts";
import type { Ctx, RouteDeps } from "../http/context.ts";
import type { FinishedLogin } from "../http/extensions.ts";
import { coarseAgent } from "../sessions/agent.ts";
import { createDeviceStore, type DeviceEntry } from "./store.ts";

/** The device this browser remembers for the name typed at login. */
export async function loginDevice(
  ctx: Ctx,
  deps: RouteDeps,
  typed: string,
): Promise<RememberedDevice | undefined> {
  const entry = await createDeviceStore(deps).find(ctx, typed);
  return entry ? { key: entry.key, groupKey: entry.groupKey, password: entry.password } : undefined;
}

/** Names of the user a login may type, lower case: the Cognito username and the email. */
const namesOf = (login: FinishedLogin): string[] => {
  const names = [login.user.username, login.user.email].filter(
    (n): n is string => typeof n === "string" && n.length > 0,
  );
  return [...new Set(names.map((n) => n.toLowerCase()))];
};

/** After a login: confirm a new device, remember it when asked; the device cookie to send. */
export async function afterLogin(ctx: Ctx, deps: RouteDeps, login: FinishedLogin): Promise<string[]> {
  // Managed login has no device tracking of its own here.
  if (login.via) return [];
  const store = createDeviceStore(deps);
  try {
    const cognito = (await deps.cognito()).client;
    const token = login.tokens.accessToken;
    const username = login.user.username;
    let entry: DeviceEntry | undefined;
    if (login.newDevice) {
      const name = login.session.userAgent ?? coarseAgent(ctx.request.headers.get("user-agent")) ?? "Browser";
      const confirmed = await confirmDevice(cognito, token, login.newDevice, name, deps.config.modPow);
      if (!confirmed.ok) return [];
      entry = {
        ...confirmed.device,
        username,
        names: namesOf(login),
        remembered: false,
        createdAt: deps.config.now(),
      };
    } else if (login.remember && login.tokens.deviceKey) {
      const known = await store.find(ctx, username);
      if (!known || known.key !== login.tokens.deviceKey || known.username !== username || known.remembered)
        return [];
      entry = known;
    }
    if (!entry) return [];
    if (login.remember) {
      const done = await setDeviceRemembered(cognito, token, entry.key, true);
      if (done.ok) {
        entry = { ...entry, remembered: true };
        await emit(deps.config, "deviceRemembered", {
          username,
          deviceKey: entry.key,
          requestId: ctx.requestId,
        });
      }
    }
    return [await store.save(ctx, entry)];
  } catch (error) {
    deps.onError(error, ctx.requestId);
    return [];
  }
}
