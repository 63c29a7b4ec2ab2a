/**
 * @module
 * `@warrant/cognito/devices`: remembered devices and "where you're signed in". Pass `devices()` in
 * `options.extensions` and the warrant:
 * - confirms the device Cognito registers at a login (ConfirmDevice with a device-SRP verifier of a random
 *   device password, named by a coarse user agent), and remembers it (UpdateDeviceStatus) when the person
 *   ticks "remember this browser" on the MFA step;
 * - keeps the device key, group key and device password sealed in storage, behind a long-lived HttpOnly
 *   device cookie that is not the session;
 * - sends DEVICE_KEY with later logins and answers DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER, so a
 *   remembered browser skips MFA; every refresh of such a session names the device (the core does that);
 * - serves `GET/POST /sessions` ("where you're signed in": sessions, remembered devices, Cognito's own
 *   session list with `cognitoSessions: true`) and a section on the staff page of each user.
 * The pool needs device tracking on ("user opt-in" or "always"). An app that does not import this module
 * carries none of it.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * import { devices } from "@warrant/cognito/devices";
 * const warrant = createWarrant({
 *   userPoolId: "eu-west-1_AbC123", clientId: "...", secret: env.WARRANT_SECRET,
 *   extensions: [devices()],
 *   events: { deviceRemembered: (e) => console.log("remembered", e.username) },
 * });
 * ```
 */
import { answerDeviceChallenge } from "../cognito/devices.ts";
import type { WarrantExtension } from "../http/extensions.ts";
import { afterLogin, loginDevice } from "./login.ts";
import { builtinSignedInPage, deviceText, rememberBox, type SignedInPage } from "./pages.ts";
import { adminDevices, deviceRoutes } from "./routes.ts";

export type { SignedInPage, SignedInPageProps } from "./pages.ts";
export { deviceText } from "./pages.ts";

/** Options of {@link devices}. */
export interface DevicesOptions {
  /**
   * Also list Cognito's own sessions of the user (ListUserSessions / AdminListUserSessions) and let them
   * be ended (RevokeUserSession): pools on the Essentials or Plus tier have them.
   * @default false
   */
  cognitoSessions?: boolean;
  /** Replaces the "where you're signed in" page. @default built-in */
  page?: SignedInPage;
}

/** MFA steps where "remember this browser" is offered. */
const mfaSteps = new Set(["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP", "MFA_SETUP", "SELECT_MFA_TYPE"]);

/**
 * The devices extension.
 *
 * @example
 * ```ts
 * createWarrant({ ...options, extensions: [devices({ cognitoSessions: true })] });
 * ```
 */
export function devices(options: DevicesOptions = {}): WarrantExtension {
  const routeOptions = {
    page: options.page ?? builtinSignedInPage,
    cognitoSessions: options.cognitoSessions === true,
  };
  return {
    name: "devices",
    text: deviceText,
    profileLinks: [{ path: "/sessions", text: "devices.link" }],
    routes: (deps) => deviceRoutes(deps, routeOptions),
    adminUser: (deps) => adminDevices(deps, routeOptions),
    challengeStep(challenge, context) {
      if (!mfaSteps.has(challenge.name)) return undefined;
      return { html: "", field: rememberBox({ ...deviceText, ...context.text }) };
    },
    loginDevice,
    afterLogin,
    deviceAnswer: (config, cognito) => async (challenge, device) =>
      answerDeviceChallenge((await cognito()).client, config, challenge, device),
  };
}
