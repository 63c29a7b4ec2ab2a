/**
 * @module
 * "Where you're signed in", under `basePath`, for a signed-in person:
 * - `GET /sessions`: this library's sessions of the user (created, last seen, a coarse user agent, this
 *   one marked), the devices Cognito tracks (ListDevices, this browser marked) and, with
 *   `cognitoSessions: true`, Cognito's own session list (ListUserSessions). JSON too.
 * - `POST /sessions`: `action=end` with `handle` (another session), `action=end-others`,
 *   `action=forget` with `device` (ForgetDevice), `action=revoke` with `session` (RevokeUserSession).
 * And the staff section of a user's page: the same lists (AdminListDevices, AdminListUserSessions) with
 * `devices.end`, `devices.endAll`, `devices.forget`, `devices.revoke`.
 */
import type { TokenRefused } from "../cognito/account.ts";
import {
  adminForgetDevice,
  adminListCognitoSessions,
  adminListDevices,
  adminRevokeCognitoSession,
  forgetDevice,
  listCognitoSessions,
  listDevices,
  type NotAvailable,
  revokeCognitoSession,
} from "../cognito/devices.ts";
import { emit } from "../events.ts";
import {
  type Ctx,
  fail,
  html,
  json,
  pageContext,
  type RouteDeps,
  redirect,
  unauthenticated,
} from "../http/context.ts";
import type { AdminUserSection } from "../http/extensions.ts";
import { Refusal, signedIn, signedInPost } from "../http/guards.ts";
import type { Routes } from "../http/router.ts";
import { escapeHtml } from "../pages/html.ts";
import { type Session, SessionInvalid } from "../sessions/store.ts";
import { button, cognitoItems, deviceItems, deviceText, type SignedInPage, sessionItems } from "./pages.ts";
import { createDeviceStore } from "./store.ts";

/** Device keys are `<region>_<uuid>`; handles 32 hex digits; Cognito session ids short tokens. */
const deviceKeyPattern = /^[\w-]{1,55}_[0-9a-f-]{1,40}$/;
const handlePattern = /^[0-9a-z]{9}[0-9a-f]{16}$/;
const cognitoSessionPattern = /^[\w-]{1,128}$/;
const dones = ["ended", "endedOthers", "forgotten", "revoked"];

/** What the routes need beyond the route services. */
export interface DeviceRouteOptions {
  page: SignedInPage;
  cognitoSessions: boolean;
}

/** The "where you're signed in" route group. */
export function deviceRoutes(deps: RouteDeps, options: DeviceRouteOptions): Routes {
  const base = deps.config.basePath;
  const text = { ...deviceText, ...deps.text };
  const store = createDeviceStore(deps);

  const ended = async (ctx: Ctx, session: Session): Promise<Refusal> => {
    await deps.sessions.discard(session.id, session.user.username);
    return new Refusal(unauthenticated(ctx, deps));
  };
  const accessToken = async (ctx: Ctx, session: Session): Promise<string> => {
    try {
      return (await session.tokens()).accessToken;
    } catch (error) {
      if (!(error instanceof SessionInvalid)) throw error;
      throw await ended(ctx, session);
    }
  };
  /** A result, with a refused token ending the session and an API the pool lacks as `null`. */
  const usable = async <T>(
    ctx: Ctx,
    session: Session,
    result: T | TokenRefused | NotAvailable,
  ): Promise<T | null> => {
    const r = result as { ok?: unknown; reason?: unknown };
    if (r.ok === false && r.reason === "token_refused") throw await ended(ctx, session);
    if (r.ok === false) return null;
    return result as T;
  };

  const lists = async (ctx: Ctx, session: Session) => {
    const username = session.user.username;
    const token = await accessToken(ctx, session);
    const cognito = (await deps.cognito()).client;
    const [sessions, tracked, mine, cognitoSessions] = await Promise.all([
      deps.sessions.list(username, ctx.request),
      listDevices(cognito, token).then((r) => usable(ctx, session, r)),
      store.find(ctx, username),
      options.cognitoSessions
        ? listCognitoSessions(cognito, token).then((r) => usable(ctx, session, r))
        : Promise.resolve(null),
    ]);
    const here = mine?.username === username ? mine.key : undefined;
    return {
      sessions,
      devices: (tracked?.devices ?? []).map((d) => ({ ...d, current: d.key === here })),
      ...(cognitoSessions ? { cognitoSessions: cognitoSessions.sessions } : {}),
    };
  };

  return {
    "/sessions": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const found = await lists(ctx, session);
        if (ctx.json) return json(ctx, found);
        const done = ctx.url.searchParams.get("done") ?? "";
        return html(
          ctx,
          options.page({
            text,
            basePath: base,
            csrf: pageContext(ctx, deps, session).csrf,
            ...found,
            ...(dones.includes(done) ? { done } : {}),
          }),
        );
      },
      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps);
        const username = session.user.username;
        const { action = "" } = body.fields;
        const current = session.handle;
        const notFound = () => fail(ctx, deps, 404, deps.text["error.notFound"]);
        let done: string;
        if (action === "end") {
          const handle = body.fields.handle ?? "";
          // This session ends with "sign out"; here only the others.
          if (!handlePattern.test(handle) || handle === current) return notFound();
          if (!(await deps.sessions.endOne(username, handle))) return notFound();
          done = "ended";
        } else if (action === "end-others") {
          const others = (await deps.sessions.list(username)).filter((s) => s.id !== current);
          for (const other of others) {
            await deps.sessions.endOne(username, other.id);
          }
          done = "endedOthers";
        } else if (action === "forget") {
          const deviceKey = body.fields.device ?? "";
          if (!deviceKeyPattern.test(deviceKey)) return notFound();
          const token = await accessToken(ctx, session);
          const gone = await usable(
            ctx,
            session,
            await forgetDevice((await deps.cognito()).client, token, deviceKey),
          );
          if (!gone) return notFound();
          const here = await store.find(ctx, username);
          if (here?.key === deviceKey) await store.drop(ctx, here);
          await emit(deps.config, "deviceForgotten", {
            username,
            deviceKey,
            by: "user",
            requestId: ctx.requestId,
          });
          done = "forgotten";
        } else if (action === "revoke" && options.cognitoSessions) {
          const id = body.fields.session ?? "";
          if (!cognitoSessionPattern.test(id)) return notFound();
          const token = await accessToken(ctx, session);
          const gone = await usable(
            ctx,
            session,
            await revokeCognitoSession((await deps.cognito()).client, token, id),
          );
          if (!gone) return notFound();
          await emit(deps.config, "cognitoSessionEnd", { username, by: "user", requestId: ctx.requestId });
          done = "revoked";
        } else {
          return fail(ctx, deps, 400, deps.text["error.badRequest"]);
        }
        if (ctx.json) return json(ctx, { ok: true });
        return redirect(ctx, `${base}/sessions?done=${done}`);
      },
    },
  };
}

/** The staff section of a user's page. */
export function adminDevices(deps: RouteDeps, options: DeviceRouteOptions): AdminUserSection {
  const text = { ...deviceText, ...deps.text };
  const action = (username: string) => `${deps.config.basePath}/admin/users/${encodeURIComponent(username)}`;
  const cognito = async () => (await deps.cognito()).client;
  return {
    async render(_ctx, user, page) {
      const client = await cognito();
      const [sessions, devices, cognitoSessions] = await Promise.all([
        deps.sessions.list(user.username),
        adminListDevices(client, deps.config, user.username),
        options.cognitoSessions
          ? adminListCognitoSessions(client, deps.config, user.username)
          : Promise.resolve(null),
      ]);
      const tracked = devices.ok ? devices.devices : [];
      const inCognito = cognitoSessions?.ok ? cognitoSessions.sessions : undefined;
      const to = action(user.username);
      const form = (fields: Record<string, string>, label: string) => button(to, page.csrf, fields, label);
      const w = (key: string) => escapeHtml(text[key] ?? key);
      const html = `<section class="devices-admin">
<h2>${w("devices.sessions")}</h2>
<ul class="sessions">
${sessionItems(text, sessions, (s) => form({ action: "devices.end", handle: s.id }, w("devices.end")))}
</ul>
${sessions.length ? form({ action: "devices.endAll" }, w("devices.endAll")) : ""}
<h2>${w("devices.devices")}</h2>
${tracked.length ? `<ul class="devices">\n${deviceItems(text, tracked, (d) => form({ action: "devices.forget", device: d.key }, w("devices.forget")))}\n</ul>` : `<p>${w("devices.devices.none")}</p>`}
${
  inCognito
    ? `<h2>${w("devices.cognito")}</h2>
<ul class="cognito-sessions">
${cognitoItems(text, inCognito, (s) => form({ action: "devices.revoke", session: s.id }, w("devices.revoke")))}
</ul>`
    : ""
}
</section>`;
      return {
        html,
        json: { sessions, devices: tracked, ...(inCognito ? { cognitoSessions: inCognito } : {}) },
      };
    },
    actions: {
      async end(ctx, user, fields) {
        const handle = fields.handle ?? "";
        if (!handlePattern.test(handle) || !(await deps.sessions.endOne(user.username, handle)))
          return fail(ctx, deps, 404, deps.text["error.notFound"]);
        return undefined;
      },
      async endAll(_ctx, user) {
        for (const s of await deps.sessions.list(user.username)) {
          await deps.sessions.endOne(user.username, s.id);
        }
        return undefined;
      },
      async forget(ctx, user, fields) {
        const deviceKey = fields.device ?? "";
        if (!deviceKeyPattern.test(deviceKey)) return fail(ctx, deps, 404, deps.text["error.notFound"]);
        const gone = await adminForgetDevice(await cognito(), deps.config, user.username, deviceKey);
        if (!gone.ok) return fail(ctx, deps, 404, deps.text["error.notFound"]);
        await emit(deps.config, "deviceForgotten", {
          username: user.username,
          deviceKey,
          by: "staff",
          requestId: ctx.requestId,
        });
        return undefined;
      },
      async revoke(ctx, user, fields) {
        const id = fields.session ?? "";
        if (!options.cognitoSessions || !cognitoSessionPattern.test(id))
          return fail(ctx, deps, 404, deps.text["error.notFound"]);
        const gone = await adminRevokeCognitoSession(await cognito(), deps.config, user.username, id);
        if (!gone.ok) return fail(ctx, deps, 404, deps.text["error.notFound"]);
        await emit(deps.config, "cognitoSessionEnd", {
          username: user.username,
          by: "staff",
          requestId: ctx.requestId,
        });
        return undefined;
      },
    },
  };
}
