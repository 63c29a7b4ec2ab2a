/**
 * @module
 * The staff pages (django-warrant's `admin/cognito-users`): the pool's users, paginated and mapped, and
 * one user's details with the actions staff need: disable, enable, sign out everywhere. Only members of
 * `staffGroups` get in; the calls use the configured AWS credentials.
 */
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  ListUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import type { Cognito } from "../cognito/client.ts";
import { classify, toWarrantError } from "../cognito/errors.ts";
import type { WarrantConfig } from "../options.ts";
import type { AdminUserRow, PageContext, Pages } from "../pages/pages.ts";
import type { Text } from "../pages/text.ts";
import type { Session, Sessions } from "../sessions/store.ts";
import { mapAttributes } from "../users/mapping.ts";

/** What the admin routes borrow from the handler, for a request context `C`. */
export interface AdminDeps<C> {
  config: WarrantConfig;
  cognito: Cognito;
  sessions: Sessions;
  pages: Pages;
  text: Text;
  session(ctx: C): Promise<Session | null>;
  unauthenticated(ctx: C): Response;
  failure(ctx: C, status: number, message: string): Response;
  pageContext(ctx: C, session: Session): PageContext;
  /** Origin check, body, CSRF bound to the session: the fields, or the refusal. */
  form(ctx: C, session: Session): Promise<Record<string, string> | Response>;
  html(ctx: C, body: string, status?: number): Response;
  json(ctx: C, data: unknown, status?: number): Response;
  redirect(ctx: C, location: string): Response;
  wantsJson(ctx: C): boolean;
  url(ctx: C): URL;
}

/** Cognito usernames are at most 128 characters of printable text. */
const usernamePattern = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const pageSize = 20;

const attr = (attributes: { Name?: string; Value?: string }[] | undefined, name: string) =>
  attributes?.find((a) => a.Name === name)?.Value;

/** The admin routes: `GET /admin/users` and `GET/POST /admin/users/<username>`. */
export function createAdminRoutes<C>(deps: AdminDeps<C>): {
  list(ctx: C): Promise<Response>;
  show(ctx: C, username: string): Promise<Response>;
  act(ctx: C, username: string): Promise<Response>;
} {
  const { config, cognito, text, pages } = deps;

  /** The signed-in staff member, or the response that turns the request away. */
  const staff = async (ctx: C): Promise<Session | Response> => {
    const session = await deps.session(ctx);
    if (!session) return deps.unauthenticated(ctx);
    const groups = session.user.groups ?? [];
    if (!config.staffGroups.some((g) => groups.includes(g)))
      return deps.failure(ctx, 403, text["error.forbidden"]);
    return session;
  };

  const row = (user: {
    Username?: string;
    Attributes?: { Name?: string; Value?: string }[];
    UserAttributes?: { Name?: string; Value?: string }[];
    UserStatus?: string;
    Enabled?: boolean;
  }): AdminUserRow => {
    const attributes = user.Attributes ?? user.UserAttributes ?? [];
    return {
      username: user.Username ?? "",
      email: attr(attributes, "email") ?? "",
      status: user.UserStatus ?? "",
      enabled: user.Enabled !== false,
      fields: mapAttributes(attributes, config.attributeMapping),
    };
  };

  const adminCall = async <T>(
    command: { readonly input: unknown },
    during: string,
    retry: boolean,
  ): Promise<T | null> => {
    try {
      return await cognito.send<T>(command, { during, retry, raw: true });
    } catch (error) {
      if (classify(error) === "credentials") return null;
      throw toWarrantError(error, during);
    }
  };

  return {
    async list(ctx) {
      const session = await staff(ctx);
      if (session instanceof Response) return session;
      const token = deps.url(ctx).searchParams.get("page") ?? undefined;
      const out = await adminCall<{ Users?: Parameters<typeof row>[0][]; PaginationToken?: string }>(
        new ListUsersCommand({
          UserPoolId: config.userPoolId,
          Limit: pageSize,
          ...(token && token.length < 4096 ? { PaginationToken: token } : {}),
        }),
        "listing users",
        true,
      );
      const users = (out?.Users ?? []).map(row);
      const next = out?.PaginationToken;
      if (deps.wantsJson(ctx)) return deps.json(ctx, { users, next: next ?? null });
      return deps.html(
        ctx,
        pages.adminUsers({ ctx: deps.pageContext(ctx, session), users, ...(next ? { next } : {}) }),
      );
    },

    async show(ctx, username) {
      const session = await staff(ctx);
      if (session instanceof Response) return session;
      if (!usernamePattern.test(username)) return deps.failure(ctx, 404, text["error.notFound"]);
      const user = await adminCall<Parameters<typeof row>[0]>(
        new AdminGetUserCommand({ UserPoolId: config.userPoolId, Username: username }),
        "reading a user",
        true,
      );
      if (!user) return deps.failure(ctx, 404, text["error.notFound"]);
      const groups = await adminCall<{ Groups?: { GroupName?: string }[] }>(
        new AdminListGroupsForUserCommand({ UserPoolId: config.userPoolId, Username: username }),
        "reading a user's groups",
        true,
      );
      const view = {
        ...row(user),
        groups: (groups?.Groups ?? []).map((g) => g.GroupName ?? "").filter(Boolean),
        sessions: (await deps.sessions.list(user.Username ?? username)).length,
      };
      if (deps.wantsJson(ctx)) return deps.json(ctx, { user: view });
      const done = deps.url(ctx).searchParams.get("done") ?? undefined;
      return deps.html(
        ctx,
        pages.adminUser({
          ctx: deps.pageContext(ctx, session),
          user: view,
          ...(done && ["disable", "enable", "signout"].includes(done) ? { done: done as "disable" } : {}),
        }),
      );
    },

    async act(ctx, username) {
      const session = await staff(ctx);
      if (session instanceof Response) return session;
      const fields = await deps.form(ctx, session);
      if (fields instanceof Response) return fields;
      if (!usernamePattern.test(username)) return deps.failure(ctx, 404, text["error.notFound"]);
      const action = fields.action;
      const input = { UserPoolId: config.userPoolId, Username: username };
      if (action === "disable") {
        if ((await adminCall(new AdminDisableUserCommand(input), "disabling a user", false)) === null)
          return deps.failure(ctx, 404, text["error.notFound"]);
        // A disabled user is out everywhere at once, not when their tokens next refresh (S12).
        await deps.sessions.destroyAll(username);
      } else if (action === "enable") {
        if ((await adminCall(new AdminEnableUserCommand(input), "enabling a user", false)) === null)
          return deps.failure(ctx, 404, text["error.notFound"]);
      } else if (action === "signout") {
        await deps.sessions.destroyAll(username);
      } else {
        return deps.failure(ctx, 400, text["error.badRequest"]);
      }
      if (deps.wantsJson(ctx)) return deps.json(ctx, { ok: true });
      return deps.redirect(
        ctx,
        `${config.basePath}/admin/users/${encodeURIComponent(username)}?done=${action}`,
      );
    },
  };
}
