/**
 * @module
 * The events of the devices extension: a device remembered or forgotten, a session ended (by the person
 * on "where you're signed in", or by staff). Each handler gets the username, what changed, who did it and
 * the request id; never a token, a device password or a session id. Handlers are awaited; one that
 * throws is reported through the warrant's `onError` and the request goes on.
 *
 * Until the warrant has events of its own (`onLogin`, `onSessionEnd`, …), these are passed to
 * `devices({ on })`; the emission points are `emit("deviceRemembered" | "deviceForgotten" | "sessionEnded")`.
 */
import type { Ctx, RouteDeps } from "../http/context.ts";

/** What each event says. */
export interface DeviceEventMap {
  deviceRemembered: { username: string; deviceKey: string; by: "user" };
  deviceForgotten: { username: string; deviceKey: string; by: "user" | "staff" };
  /** `handle`: a session of this library; `cognitoSession`: one of Cognito's own list. */
  sessionEnded: {
    username: string;
    by: "user" | "staff";
    handle?: string;
    cognitoSession?: string;
    reason: "ended" | "ended_others" | "ended_all";
  };
}

/** The handlers of `devices({ on })`, each optional. */
export type DeviceEventHandlers = {
  [K in keyof DeviceEventMap]?: (event: DeviceEventMap[K] & { requestId: string }) => void | Promise<void>;
};

/** Emits the extension's events. */
export interface DeviceEvents {
  emit<K extends keyof DeviceEventMap>(name: K, event: DeviceEventMap[K], ctx: Ctx): Promise<void>;
}

/** The emitter over the handlers; `report` gets a handler's error (the warrant's `onError`). */
export function deviceEvents(
  handlers: DeviceEventHandlers,
  report: () => RouteDeps["onError"] | undefined,
): DeviceEvents {
  return {
    async emit(name, event, ctx) {
      const handler = handlers[name] as ((e: unknown) => void | Promise<void>) | undefined;
      if (!handler) return;
      try {
        await handler({ ...event, requestId: ctx.requestId });
      } catch (error) {
        report()?.(error, ctx.requestId);
      }
    },
  };
}
