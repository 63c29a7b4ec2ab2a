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
 * - `adminUser(deps)`: a section on the staff page of one user, and the actions its forms post there;
 * - `challengeStep(challenge, context)`: its part of the challenge page (the passkey step, with its script).
 * - `loginPage(input)`: buttons on the login page beside the password form (or instead of it);
 * - `tokenService(config)`: how the sessions it starts (a login with `via: name`) refresh and revoke;
 * - `afterLogout(ctx, deps)`: where the browser goes after one of its sessions signs out.
 * - `loginDevice(ctx, deps, username)`, `afterLogin(ctx, deps, login)`, `deviceAnswer(cognito)`: remembered
 *   devices (the devices extension): the device a login names, what follows a login, DEVICE_SRP_AUTH.
 */

import type { NewDevice, RememberedDevice } from "../cognito/auth.ts";
import type { LoadCognito } from "../cognito/load.ts";
import type { DeviceAnswer } from "../login/authenticate.ts";
import type { PublicChallenge } from "../login/pending.ts";
import type { WarrantConfig } from "../options.ts";
import type { LoginButton, PageContext } from "../pages/pages.ts";
import type { Text } from "../pages/text.ts";
import type { TokenService } from "../sessions/refresh.ts";
import type { Login } from "../sessions/session.ts";
import type { Session } from "../sessions/store.ts";
import type { Attribute } from "../users/mapping.ts";
import type { Ctx, RouteDeps } from "./context.ts";
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
  /** Trusted markup inside the answer form, before its button (a "remember this browser" box). */
  field?: string;
}

/** A login that just succeeded, as {@link WarrantExtension.afterLogin} sees it. */
export interface FinishedLogin extends Login {
  /** A device Cognito registered at this login (NewDeviceMetadata), to confirm. */
  newDevice?: NewDevice;
  /** The person ticked "remember this browser" (the `remember` field of the challenge answer). */
  remember: boolean;
  /** The session the login started. */
  session: Session;
}

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
  /** The text table (the app's overrides and the extensions' words included). */
  text: Text;
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
  /**
   * A step of the challenge page the browser completes with the extension's help (a passkey: the
   * request options and a script that runs `navigator.credentials.get` and posts the result as
   * `credential`). Called for every challenge page; `undefined` leaves the page as the library makes it.
   * Without an extension that answers WEB_AUTHN, its page offers the other factors instead.
   */
  challengeStep?(challenge: PublicChallenge, context: ChallengeStepContext): ChallengeStep | undefined;
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
  /** The device this browser remembers for `username`, sent with its login (DEVICE_KEY, DEVICE_SRP_AUTH). */
  loginDevice?(ctx: Ctx, deps: RouteDeps, username: string): Promise<RememberedDevice | undefined>;
  /**
   * After a login succeeded and its session started: Set-Cookie values to add (the device cookie).
   * It must not throw for an outage of its own: the login stands whatever it does.
   */
  afterLogin?(ctx: Ctx, deps: RouteDeps, login: FinishedLogin): Promise<string[]>;
  /** What answers DEVICE_SRP_AUTH; called once, when the warrant is built. */
  deviceAnswer?(config: WarrantConfig, cognito: LoadCognito): DeviceAnswer;
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
