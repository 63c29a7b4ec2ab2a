/**
 * @module
 * Extensions: the optional features (managed login, passkeys, API Gateway, devices) live in modules of
 * their own, imported only by apps that use them, so an app that does not pays no bytes for them. An
 * extension is an object passed in `options.extensions`; the warrant hands it the route services, and it
 * adds route groups under `basePath` (and, as features need them, the hooks declared here).
 */

import type { PublicChallenge } from "../login/pending.ts";
import type { ExtensionBase } from "../options.ts";
import type { Text } from "../pages/text.ts";
import type { RouteDeps } from "./context.ts";
import type { Routes } from "./router.ts";

/** What {@link WarrantExtension.challengeStep} gets to build its part of the challenge page. */
export interface ChallengeStepContext {
  /** The URL every answer posts to (the challenge route, with `next`). */
  action: string;
  /** The CSRF token each form must carry as its `csrf` field. */
  csrf: string;
  text: Text;
}

/** An extension's part of a challenge page. */
export interface ChallengeStep {
  /** Trusted markup put in the page after its message; the extension escapes what it shows. */
  html: string;
  /** The CSP sources (`'sha256-…'`) of the inline scripts in `html`: the page allows those and no others. */
  scripts?: readonly string[];
}

/** An optional feature plugged into a warrant. */
export interface WarrantExtension extends ExtensionBase {
  /** A unique name, e.g. `"managed-login"`; two extensions of one name are refused at construction. */
  readonly name: string;
  /**
   * Route groups under `basePath`, merged after the built-in ones. A path the library or another
   * extension already serves is refused at construction.
   */
  routes?(deps: RouteDeps): Routes;
  /**
   * A step of the challenge page the browser completes with the extension's help (a passkey: the
   * request options and a script that runs `navigator.credentials.get` and posts the result as
   * `credential`). Called for every challenge page; `undefined` leaves the page as the library makes it.
   * Without an extension that answers WEB_AUTHN, its page offers the other factors instead.
   */
  challengeStep?(challenge: PublicChallenge, context: ChallengeStepContext): ChallengeStep | undefined;
}

/** The routes of every extension, merged over `builtin`; throws when two claim one path. */
export function mergeRoutes(
  builtin: Routes,
  deps: RouteDeps,
  extensions: readonly WarrantExtension[],
): Routes {
  const merged: Routes = { ...builtin };
  for (const extension of extensions as readonly WarrantExtension[]) {
    for (const [path, methods] of Object.entries(extension.routes?.(deps) ?? {})) {
      if (Object.hasOwn(merged, path)) {
        throw new TypeError(`warrant: extension "${extension.name}" claims ${path}, which is already served`);
      }
      merged[path] = methods;
    }
  }
  return merged;
}
