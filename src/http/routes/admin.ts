/**
 * @module
 * The staff pages (django-warrant's `admin/cognito-users`): `GET /admin/users` (the pool's users, 20 a
 * page, mapped) and `GET/POST /admin/users/:username` (one user's status, groups and local sessions,
 * with disable (which also ends every session), enable and sign out everywhere, and the sections
 * extensions add with their actions, posted as `action=<extension>.<action>`). Only members of
 * `staffGroups` get in; the calls use the configured AWS credentials.
 */
import type { PoolUser } from "../../cognito/admin.ts";
import type { AdminUserRow } from "../../pages/pages.ts";
import { mapAttributes } from "../../users/mapping.ts";
import { fail, html, json, pageContext, type RouteDeps, redirect } from "../context.ts";
import { adminSections } from "../extensions.ts";
import { formBody, staff } from "../guards.ts";
import type { Routes } from "../router.ts";

/** Cognito usernames are at most 128 characters of printable text. */
const usernamePattern = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const actions = ["disable", "enable", "signout"] as const;

/** `/admin/users` and `/admin/users/:username`. */
export function adminRoutes(deps: RouteDeps): Routes {
  const { config, text, pages } = deps;
  const sections = adminSections(deps);
  /** The extension action an `action` field names (`<extension>.<action>`), if any. */
  const extensionAction = (action: string | undefined) => {
    const dot = action?.indexOf(".") ?? -1;
    if (!action || dot < 0) return undefined;
    const found = sections.find((s) => s.name === action.slice(0, dot))?.section.actions;
    const name = action.slice(dot + 1);
    return found && Object.hasOwn(found, name) ? found[name] : undefined;
  };
  const row = (user: PoolUser): AdminUserRow => ({
    username: user.username,
    email: user.attributes.find((a) => a.Name === "email")?.Value ?? "",
    status: user.status,
    enabled: user.enabled,
    fields: mapAttributes(user.attributes, config.attributeMapping),
  });

  return {
    "/admin/users": {
      async GET(ctx) {
        const session = await staff(ctx, deps);
        const token = ctx.url.searchParams.get("page") ?? undefined;
        const page = await (await deps.cognito()).listUsers(token && token.length < 4096 ? token : undefined);
        const users = page.users.map(row);
        if (ctx.json) return json(ctx, { users, next: page.next ?? null });
        return html(
          ctx,
          pages.adminUsers({
            ctx: pageContext(ctx, deps, session),
            users,
            ...(page.next ? { next: page.next } : {}),
          }),
        );
      },
    },

    "/admin/users/:username": {
      async GET(ctx) {
        const session = await staff(ctx, deps);
        const username = ctx.params.username!;
        if (!usernamePattern.test(username)) return fail(ctx, deps, 404, text["error.notFound"]);
        const user = await (await deps.cognito()).getPoolUser(username);
        if (!user) return fail(ctx, deps, 404, text["error.notFound"]);
        const view = {
          ...row(user),
          groups: user.groups,
          sessions: await deps.sessions.count(user.username),
        };
        const page = pageContext(ctx, deps, session);
        const target = { username: user.username, attributes: user.attributes, staff: session };
        const rendered = await Promise.all(
          sections.map(async (s) => ({ name: s.name, ...(await s.section.render(ctx, target, page)) })),
        );
        if (ctx.json) {
          return json(ctx, {
            user: view,
            ...(rendered.length
              ? { sections: Object.fromEntries(rendered.map((r) => [r.name, r.json])) }
              : {}),
          });
        }
        const done = ctx.url.searchParams.get("done");
        return html(
          ctx,
          pages.adminUser({
            ctx: page,
            user: view,
            ...(done && (actions as readonly string[]).includes(done)
              ? { done: done as (typeof actions)[number] }
              : done && extensionAction(done)
                ? { notice: text[`admin.done.${done}`] ?? "" }
                : {}),
            ...(rendered.length ? { sections: rendered.map((r) => ({ name: r.name, html: r.html })) } : {}),
          }),
        );
      },
      async POST(ctx) {
        const session = await staff(ctx, deps);
        const { fields } = await formBody(ctx, deps, () => session.id);
        const username = ctx.params.username!;
        if (!usernamePattern.test(username)) return fail(ctx, deps, 404, text["error.notFound"]);
        const action = fields.action;
        const fromExtension = extensionAction(action);
        if (!fromExtension && !(actions as readonly string[]).includes(action ?? ""))
          return fail(ctx, deps, 400, text["error.badRequest"]);
        const cognito = await deps.cognito();
        // The path may name the user by an alias or in another letter case: every action, and the
        // sessions it ends, is on the Cognito username.
        const user = await cognito.getPoolUser(username);
        if (!user) return fail(ctx, deps, 404, text["error.notFound"]);
        if (fromExtension) {
          const answered = await fromExtension(
            ctx,
            { username: user.username, attributes: user.attributes, staff: session },
            fields,
          );
          if (answered) return answered;
        } else if (action === "disable") {
          if (!(await cognito.disableUser(user.username)))
            return fail(ctx, deps, 404, text["error.notFound"]);
          // A disabled user is out everywhere at once, here and at Cognito, not when their tokens next refresh (S12).
          await deps.sessions.endAll(user.username, { reason: "disabled", request: ctx.request });
        } else if (action === "enable") {
          if (!(await cognito.enableUser(user.username))) return fail(ctx, deps, 404, text["error.notFound"]);
        } else {
          await deps.sessions.endAll(user.username, {
            reason: "signed_out_everywhere",
            request: ctx.request,
          });
        }
        if (ctx.json) return json(ctx, { ok: true });
        return redirect(
          ctx,
          `${config.basePath}/admin/users/${encodeURIComponent(username)}?done=${encodeURIComponent(action ?? "")}`,
        );
      },
    },
  };
}
