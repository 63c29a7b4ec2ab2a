/**
 * @module
 * Extensions: the optional features (managed login, passkeys, API Gateway, devices) live in modules of
 * their own, imported only by apps that use them, so an app that does not pays no bytes for them. An
 * extension is an object passed in `options.extensions`; the warrant hands it the route services, and it
 * adds route groups under `basePath` (and, as features need them, the hooks declared here).
 */

import type { ExtensionBase } from "../options.ts";
import type { RouteDeps } from "./context.ts";
import type { Routes } from "./router.ts";

/** An optional feature plugged into a warrant. */
export interface WarrantExtension extends ExtensionBase {
  /** A unique name, e.g. `"managed-login"`; two extensions of one name are refused at construction. */
  readonly name: string;
  /**
   * Route groups under `basePath`, merged after the built-in ones. A path the library or another
   * extension already serves is refused at construction.
   */
  routes?(deps: RouteDeps): Routes;
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
