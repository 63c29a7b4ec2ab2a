/**
 * @module
 * `warrant.handler` and `warrant.protect`: the route groups merged into one table under `basePath`,
 * over the router, with the services every route shares.
 */
import type { LoadCognito } from "../cognito/load.ts";
import type { Verifier } from "../cognito/verify.ts";
import type { Counters } from "../counters.ts";
import { WarrantError } from "../errors.ts";
import { loadOnce } from "../load-once.ts";
import type { LoginCore } from "../login/authenticate.ts";
import type { WarrantConfig } from "../options.ts";
import { builtinPages, type Pages } from "../pages/pages.ts";
import { defaultText, type Text, unknownTextKeys } from "../pages/text.ts";
import type { Cookies } from "../sessions/cookie.ts";
import type { Keyring } from "../sessions/crypto.ts";
import type { SessionCore } from "../sessions/session.ts";
import type { Store } from "../storage.ts";
import { logError, type RouteDeps } from "./context.ts";
import { createCsrf } from "./csrf.ts";
import { extensionsOf, extensionText, loginAdditions, mergeRoutes } from "./extensions.ts";
import { createProtect, type ProtectedHandler } from "./protect.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { type RouteGroupEntry, routeGroups } from "./route-groups.ts";
import type { RouteTable } from "./route-paths.ts";
import { createRouter, type Route, type Routes } from "./router.ts";

export type { RouteTable };

/** What the handler is built from. */
export interface HandlerServices {
  config: WarrantConfig;
  store: Store;
  /** Atomic counters for the rate limits. */
  counters: Counters;
  cookies: Cookies;
  sessions: SessionCore;
  login: LoginCore;
  cognito: LoadCognito;
  keyring: Keyring;
  verifier: Verifier;
}

/** What {@link createHandler} builds. */
export interface Http {
  handler: (request: Request) => Promise<Response>;
  protect: (inner: ProtectedHandler) => (request: Request) => Promise<Response>;
}

const tables = new WeakMap<WarrantConfig, RouteTable>();

/** A group's routes as stand-ins that load the group, once per handler, on their first request. */
export function lazyRoutes(group: RouteGroupEntry, deps: RouteDeps): Routes {
  const routes = loadOnce(() => group.load().then((make) => make(deps)));
  return Object.fromEntries(
    Object.entries(group.paths).map(([path, methods]) => [
      path,
      Object.fromEntries(
        methods.map((method): [string, Route] => [
          method,
          async (ctx) => (await routes())[path]![method]!(ctx),
        ]),
      ),
    ]),
  );
}

/**
 * The route table the handler built for a warrant's `config`, extensions included: what
 * scripts/openapi.ts documents and its test compares. `undefined` for a config no handler was built for.
 */
export function routeTable(config: WarrantConfig): RouteTable | undefined {
  return tables.get(config);
}

/** Builds the route services, the handler and `protect`. */
export function createHandler(services: HandlerServices): Http {
  const { config, counters, ...rest } = services;
  const extensions = extensionsOf(config);
  const known = { ...defaultText, ...extensionText(extensions) };
  const unknown = unknownTextKeys(config.text, known);
  if (unknown.length > 0) {
    // A misspelt key would otherwise be ignored without a word, and the page keep its English text.
    throw new WarrantError(
      "invalid_options",
      `options.text[${JSON.stringify(unknown[0])}] is not a known text key (the keys are those of defaultText, attr.<attribute>, managedLogin.provider.<name>, and the extensions' own)`,
    );
  }
  const text = { ...known, ...config.text } as Text;
  const deps: RouteDeps = {
    ...rest,
    config,
    pages: { ...builtinPages, ...config.pages } as Pages,
    text,
    csrf: createCsrf(config.secrets),
    limiter: createRateLimiter(services.store, counters, config.rateLimit, config.now),
    loginAdditions: (next) =>
      loginAdditions(extensions, { basePath: config.basePath, text, ...(next ? { next } : {}) }),
    afterLogout: (via, ctx) => extensions.find((e) => e.name === via)?.afterLogout?.(ctx, deps),
    onError: config.onError ?? logError(config.logger),
  };
  const builtin: Routes = Object.assign({}, ...Object.values(routeGroups).map((g) => lazyRoutes(g, deps)));
  const routes = mergeRoutes(builtin, deps, extensions);
  tables.set(
    config,
    Object.freeze(
      Object.fromEntries(
        Object.entries(routes).map(([path, methods]) => [path, Object.keys(methods) as ("GET" | "POST")[]]),
      ),
    ),
  );
  const handler = createRouter(deps, routes);
  return { handler, protect: createProtect(deps) };
}
