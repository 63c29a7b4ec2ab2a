/**
 * @module
 * Extensions: the optional features (managed login, passkeys, API Gateway, devices) live in modules of
 * their own, imported only by apps that use them, so an app that does not pays no bytes for them. An
 * extension is an object passed in `options.extensions`; the warrant hands it the route services, and it
 * adds route groups under `basePath` and plugs into the built-in pages through the hooks declared here:
 *
 * - `routes(deps)`: route groups of its own;
 * - `text`: the default words of its pages, which `options.text` can replace like any other;
 * - `profileLinks`: links on the profile page (e.g. to the extension's own page);
 * - `adminUser(deps)`: a section on the staff page of one user, and the actions its forms post there.
 */

import type { WarrantConfig } from "../options.ts";
import type { PageContext } from "../pages/pages.ts";
import type { Session } from "../sessions/store.ts";
import type { Attribute } from "../users/mapping.ts";
import type { Ctx, RouteDeps } from "./context.ts";
import type { Routes } from "./router.ts";

/** The user a staff page is about, as an extension's section sees it. */
export interface AdminUserTarget {
  /** The Cognito username. */
  readonly username: string;
  /** The user's Cognito attributes, as AdminGetUser returned them. */
  readonly attributes: readonly Attribute[];
  /** The staff member's session. */
  readonly staff: Session;
}

/**
 * A section of the staff page of one user (`GET /admin/users/:username`) and the actions its forms
 * post to `POST /admin/users/:username` as `action=<extension name>.<action name>`. The staff, origin and
 * CSRF checks have passed before either is called.
 */
export interface AdminUserSection {
  /**
   * What the section shows: `html` goes into the page (after the built-in details), `json` under
   * `sections[<extension name>]` of the JSON answer. `page.csrf` is the token its forms must carry.
   */
  render(ctx: Ctx, user: AdminUserTarget, page: PageContext): Promise<{ html: string; json: unknown }>;
  /**
   * The actions, by name. Resolving with nothing is success: the browser goes back to the user's page,
   * which shows the text `admin.done.<extension name>.<action name>` (JSON: `{ ok: true }`). A returned
   * Response is sent as it is (a refusal, with the error page or JSON error of `fail`).
   */
  actions?: Readonly<
    Record<
      string,
      (ctx: Ctx, user: AdminUserTarget, fields: Record<string, string>) => Promise<Response | undefined>
    >
  >;
}

/** A link an extension adds to the profile page. */
export interface ProfileLink {
  /** The path under `basePath`, e.g. `/profile/subscriptions`. */
  readonly path: string;
  /** The key of its words in the text table (give the default in `text`). */
  readonly text: string;
}

/**
 * An optional feature plugged into a warrant.
 *
 * @example
 * ```ts
 * const hello: WarrantExtension = {
 *   name: "hello",
 *   text: { "hello.link": "Say hello" },
 *   profileLinks: [{ path: "/hello", text: "hello.link" }],
 *   routes: (deps) => ({ "/hello": { GET: async () => new Response("hello") } }),
 * };
 * createWarrant({ ...options, extensions: [hello] });
 * ```
 */
export interface WarrantExtension {
  /** A unique name, e.g. `"managed-login"`; two extensions of one name are refused at construction. */
  readonly name: string;
  /**
   * Route groups under `basePath`, merged after the built-in ones. A path the library or another
   * extension already serves is refused at construction.
   */
  routes?(deps: RouteDeps): Routes;
  /** Default words of the extension's pages; `options.text` replaces them like the built-in ones. */
  readonly text?: Readonly<Record<string, string>>;
  /** Links shown on the profile page, in order. */
  readonly profileLinks?: readonly ProfileLink[];
  /** A section on the staff page of one user, with its actions. */
  adminUser?(deps: RouteDeps): AdminUserSection;
}

/** The extensions of a config, as the HTTP layer reads them (the options know only their names). */
export const extensionsOf = (config: Pick<WarrantConfig, "extensions">): readonly WarrantExtension[] =>
  config.extensions as readonly WarrantExtension[];

/** The routes of every extension, merged over `builtin`; throws when two claim one path. */
export function mergeRoutes(
  builtin: Routes,
  deps: RouteDeps,
  extensions: readonly WarrantExtension[],
): Routes {
  const merged: Routes = { ...builtin };
  for (const extension of extensions) {
    for (const [path, methods] of Object.entries(extension.routes?.(deps) ?? {})) {
      if (Object.hasOwn(merged, path)) {
        throw new TypeError(`warrant: extension "${extension.name}" claims ${path}, which is already served`);
      }
      merged[path] = methods;
    }
  }
  return merged;
}

/** The default words of every extension, in order (a later one wins). */
export function extensionText(extensions: readonly WarrantExtension[]): Record<string, string> {
  return Object.assign({}, ...extensions.map((e) => e.text ?? {}));
}

/** The staff-page sections of every extension that has one, with the extension's name. */
export function adminSections(deps: RouteDeps): { name: string; section: AdminUserSection }[] {
  return extensionsOf(deps.config).flatMap((e) =>
    e.adminUser ? [{ name: e.name, section: e.adminUser(deps) }] : [],
  );
}
