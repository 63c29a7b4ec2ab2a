/**
 * @module
 * Extensions: the optional features (managed login, passkeys, API Gateway, devices) live in modules of
 * their own, imported only by apps that use them, so an app that does not pays no bytes for them. An
 * extension is an object passed in `options.extensions`; the warrant hands it the route services, and it
 * adds route groups under `basePath` and uses the hooks declared here:
 * - `routes(deps)`: its route groups;
 * - `loginPage(input)`: buttons on the login page beside the password form (or instead of it);
 * - `tokenService(config)`: how the sessions it starts are refreshed and revoked;
 * - `afterLogout(ctx, deps)`: where the browser goes after one of its sessions signs out.
 */

import type { ExtensionBase, WarrantConfig } from "../options.ts";
import type { LoginButton } from "../pages/pages.ts";
import type { Text } from "../pages/text.ts";
import type { TokenService } from "../sessions/refresh.ts";
import type { Ctx, RouteDeps } from "./context.ts";
import type { Routes } from "./router.ts";

/** What an extension adds to the login page. */
export interface LoginPageAdditions {
  /** Buttons (links) shown beside the password form, in order. */
  buttons?: LoginButton[];
  /** `false` hides the password form (pools where people sign in only through providers). @default true */
  passwordForm?: boolean;
}

/** What `loginPage` is told about the page being drawn. */
export interface LoginPageInput {
  basePath: string;
  /** The safe path the login returns to, when there is one. */
  next?: string;
  /** The text table (the app's overrides included). */
  text: Text;
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
  /** Additions to the built-in login page (and to what a replaced login page gets in its props). */
  loginPage?(input: LoginPageInput): LoginPageAdditions;
  /**
   * How the sessions this extension starts (a login with `via: name`) refresh and revoke their tokens.
   * Called once, when the warrant is built. Without it such sessions use the Cognito API like any other.
   */
  tokenService?(config: WarrantConfig): TokenService;
  /**
   * Where the browser goes after signing out of a session this extension started, instead of the login
   * page (managed login: Cognito's `/logout`, so its own cookie goes too). `undefined` keeps the default.
   */
  afterLogout?(ctx: Ctx, deps: RouteDeps): string | undefined;
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

/** Every extension's login-page additions, in the order the extensions are listed. */
export function loginAdditions(
  extensions: readonly WarrantExtension[],
  input: LoginPageInput,
): Required<LoginPageAdditions> {
  const buttons: LoginButton[] = [];
  let passwordForm = true;
  for (const extension of extensions) {
    const added = extension.loginPage?.(input);
    if (!added) continue;
    buttons.push(...(added.buttons ?? []));
    if (added.passwordForm === false) passwordForm = false;
  }
  return { buttons, passwordForm };
}

/** The token services of the extensions that bring one, by name. */
export function tokenServices(
  extensions: readonly WarrantExtension[],
  config: WarrantConfig,
): Map<string, TokenService> {
  const services = new Map<string, TokenService>();
  for (const extension of extensions) {
    const service = extension.tokenService?.(config);
    if (service) services.set(extension.name, service);
  }
  return services;
}
