/**
 * @module
 * The built-in route groups, each imported the first time one of its routes is asked for: an app that
 * only reads sessions (`protect`, `getSession`) never loads or evaluates the pages' routes. On Node, Bun
 * and Deno, where the package is a few bundled files, that is about a third of what an `import()` of it
 * compiles (bench/cold/run.ts). Bundlers (package.json's `browser` map: wrangler, Vite, webpack) get
 * `route-groups.browser.ts` instead, the same groups imported statically: a Worker is one file that is
 * parsed whole anyway, and `import()` would only add esbuild's lazy-init wrappers (1.6 KB gzip).
 * A group added here must be added there too (a unit test compares the two).
 */
import type { RouteDeps } from "./context.ts";
import { type RouteGroupName, type RouteTable, routePaths } from "./route-paths.ts";
import type { Routes } from "./router.ts";

/** A route group: its paths, and its module's builder of the routes. */
export interface RouteGroupEntry {
  paths: RouteTable;
  load: () => Promise<(deps: RouteDeps) => Routes>;
}

/** The route groups' module, imported once, on the first request for any of them. */
const routes = () => import("./routes/index.ts");

/** The built-in route groups, by name. */
export const routeGroups: Readonly<Record<RouteGroupName, RouteGroupEntry>> = {
  login: { paths: routePaths.login, load: () => routes().then((m) => m.loginRoutes) },
  challenge: { paths: routePaths.challenge, load: () => routes().then((m) => m.challengeRoutes) },
  profile: { paths: routePaths.profile, load: () => routes().then((m) => m.profileRoutes) },
  password: { paths: routePaths.password, load: () => routes().then((m) => m.passwordRoutes) },
  signup: { paths: routePaths.signup, load: () => routes().then((m) => m.signupRoutes) },
  admin: { paths: routePaths.admin, load: () => routes().then((m) => m.adminRoutes) },
  verify: { paths: routePaths.verify, load: () => routes().then((m) => m.verifyRoutes) },
};
