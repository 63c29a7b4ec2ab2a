/**
 * @module
 * `@warrant/cognito/passkeys`: passkeys for a warrant that signs in with `authFlow: "USER_AUTH"`.
 * Pass `passkeys()` in `options.extensions` and the warrant gains the passkey pages (`/passkeys`: add,
 * name, list, delete; JSON too) and, on the challenge page, the passkey step: the choice at
 * SELECT_CHALLENGE and, at WEB_AUTHN, a small script (allowed by its CSP hash) that runs
 * `navigator.credentials.get` with Cognito's request options and posts the assertion, which Cognito
 * verifies. An app that does not import this module carries none of it.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * import { passkeys } from "@warrant/cognito/passkeys";
 * const warrant = createWarrant({
 *   userPoolId: "eu-west-1_AbC123", clientId: "...", secret: env.WARRANT_SECRET,
 *   authFlow: "USER_AUTH",
 *   extensions: [passkeys()],
 * });
 * ```
 */
import type { WarrantExtension } from "../http/extensions.ts";
import {
  builtinPasskeyPages,
  type PasskeyPages,
  passkeyChoice,
  passkeySignIn,
  passkeyText,
} from "./pages.ts";
import { passkeyRoutes } from "./routes.ts";
import { passkeyScriptHash } from "./script.ts";

export type { PasskeyPageContext, PasskeyPages, PasskeyRow } from "./pages.ts";
export { passkeyText } from "./pages.ts";
export { passkeyScript, passkeyScriptHash } from "./script.ts";

/** Options of {@link passkeys}. */
export interface PasskeysOptions {
  /** Render functions that replace the passkey pages (`list`, `add`). @default built-in */
  pages?: Partial<PasskeyPages>;
}

/**
 * The passkeys extension.
 *
 * @example
 * ```ts
 * createWarrant({ ...options, authFlow: "USER_AUTH", extensions: [passkeys()] });
 * ```
 */
export function passkeys(options: PasskeysOptions = {}): WarrantExtension {
  const pages: PasskeyPages = { ...builtinPasskeyPages, ...options.pages };
  return {
    name: "passkeys",
    text: passkeyText,
    profileLinks: [{ path: "/passkeys", text: "passkeys.link" }],
    routes: (deps) => passkeyRoutes(deps, pages),
    challengeStep(challenge, context) {
      // The extension's words first, so the warrant's `options.text` (in `context.text`) replaces them.
      const words = { ...passkeyText, ...context.text };
      if (challenge.name === "SELECT_CHALLENGE" && challenge.availableChallenges?.includes("WEB_AUTHN"))
        return { html: passkeyChoice(context, words), scripts: [passkeyScriptHash] };
      const options = challenge.parameters.CREDENTIAL_REQUEST_OPTIONS;
      if (challenge.name === "WEB_AUTHN" && options)
        return { html: passkeySignIn(context, words, options), scripts: [passkeyScriptHash] };
      return undefined;
    },
  };
}
