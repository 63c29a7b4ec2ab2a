/**
 * @module
 * What the API Gateway module adds to the handler: `GET /profile/subscriptions` (the usage plans the
 * signed-in user's key is on, HTML or JSON) and the section of the staff page of a user (the key, its
 * plans, and the subscribe / unsubscribe actions, which change only plans this app offers).
 */

import { type GatewayCalls, gatewayIdPattern, type UsagePlan } from "../cognito/api-gateway.ts";
import { type Ctx, fail, html, json, pageContext, type RouteDeps } from "../http/context.ts";
import type { AdminUserSection, AdminUserTarget } from "../http/extensions.ts";
import { signedIn } from "../http/guards.ts";
import type { Routes } from "../http/router.ts";
import { cognitoUser } from "../http/routes/profile.ts";
import type { Attribute } from "../users/mapping.ts";
import type { ApiGatewayEvent, ApiGatewaySettings } from "./options.ts";
import { adminSection, subscriptionsPage } from "./pages.ts";

/** What the routes work with. */
export interface GatewayRouteDeps {
  settings: ApiGatewaySettings;
  calls: () => GatewayCalls;
}

/** The key id a user's attributes hold, when it looks like one (anything else never reaches API Gateway). */
export function keyIdOf(attributes: readonly Attribute[], attribute: string): string | undefined {
  const value = attributes.find((a) => a.Name === attribute)?.Value?.trim();
  return value && gatewayIdPattern.test(value) ? value : undefined;
}

/** Whether this app offers a plan. */
export const isOffered = (settings: ApiGatewaySettings, planId: string): boolean =>
  settings.plans === null || settings.plans.has(planId);

/** `/profile/subscriptions`. */
export function subscriptionRoutes(deps: RouteDeps, gateway: GatewayRouteDeps): Routes {
  const render = gateway.settings.pages.subscriptions ?? subscriptionsPage;
  return {
    "/profile/subscriptions": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const { attributes } = await cognitoUser(ctx, deps, session);
        const keyId = keyIdOf(attributes, gateway.settings.keyIdAttribute);
        const plans = keyId ? await gateway.calls().plansOfKey(keyId) : [];
        if (ctx.json) return json(ctx, { keyId: keyId ?? null, plans });
        return html(
          ctx,
          render({ ctx: pageContext(ctx, deps, session), ...(keyId ? { keyId } : {}), plans }),
        );
      },
    },
  };
}

/** The section of the staff page of a user, and its actions. */
export function gatewayAdminSection(deps: RouteDeps, gateway: GatewayRouteDeps): AdminUserSection {
  const { settings } = gateway;
  const render = settings.pages.adminSection ?? adminSection;
  const offeredPlans = async () =>
    (await gateway.calls().allPlans()).filter((p) => isOffered(settings, p.id));

  /** What the section shows, from API Gateway as it is now. */
  const view = async (user: AdminUserTarget) => {
    const keyId = keyIdOf(user.attributes, settings.keyIdAttribute);
    if (!keyId) return { keyId: null, key: null, plans: [], others: [] };
    const [key, onKey, offered] = await Promise.all([
      gateway.calls().getKey(keyId),
      gateway.calls().plansOfKey(keyId),
      offeredPlans(),
    ]);
    const plans = onKey.map((p) => ({ ...p, offered: isOffered(settings, p.id) }));
    const others: UsagePlan[] = offered.filter((p) => !onKey.some((k) => k.id === p.id));
    return { keyId, key, plans, others };
  };

  const notify = async (ctx: Ctx, event: Omit<ApiGatewayEvent, "at">) => {
    try {
      await settings.onEvent?.({ ...event, at: deps.config.now() });
    } catch (error) {
      // The change is made; a failing listener is reported, never turned into a failed request.
      deps.onError(error, ctx.requestId);
    }
  };

  /** The key and the plan an action names, checked against API Gateway; or the refusal. */
  const target = async (
    ctx: Ctx,
    user: AdminUserTarget,
    fields: Record<string, string>,
    among: (keyId: string) => Promise<UsagePlan[]>,
  ) => {
    const keyId = keyIdOf(user.attributes, settings.keyIdAttribute);
    if (!keyId) return fail(ctx, deps, 400, deps.text["apiGateway.admin.noKey"] ?? "");
    const planId = fields.plan ?? "";
    // Only a plan this app offers and API Gateway lists: CreateUsagePlanKey is not trusted to refuse others.
    const plan =
      gatewayIdPattern.test(planId) && isOffered(settings, planId)
        ? (await among(keyId)).find((p) => p.id === planId)
        : undefined;
    if (!plan) return fail(ctx, deps, 400, deps.text["apiGateway.admin.notOffered"] ?? "");
    return { keyId, planId };
  };

  /**
   * Subscribes the key to an offered plan API Gateway lists, or unsubscribes it from an offered plan it
   * is on (API Gateway is asked which, not the form); then tells `onEvent`.
   */
  const change = async (
    ctx: Ctx,
    user: AdminUserTarget,
    fields: Record<string, string>,
    verb: "subscribe" | "unsubscribe",
  ): Promise<Response | undefined> => {
    const found = await target(ctx, user, fields, (keyId) =>
      verb === "subscribe" ? offeredPlans() : gateway.calls().plansOfKey(keyId),
    );
    if (found instanceof Response) return found;
    if (verb === "subscribe" && !(await gateway.calls().getKey(found.keyId)))
      return fail(ctx, deps, 400, deps.text["apiGateway.admin.unknownKey"] ?? "");
    const done = await gateway.calls()[verb](found.planId, found.keyId);
    if (!done.ok) return fail(ctx, deps, 400, deps.text["apiGateway.admin.notOffered"] ?? "");
    await notify(ctx, {
      type: verb === "subscribe" ? "api-gateway.subscribed" : "api-gateway.unsubscribed",
      username: user.username,
      ...found,
      by: user.staff.user.username,
    });
    return undefined;
  };

  return {
    async render(_ctx, user, page) {
      const shown = await view(user);
      return {
        json: shown,
        html: render({
          ctx: page,
          username: user.username,
          ...(shown.keyId ? { keyId: shown.keyId, key: shown.key } : {}),
          plans: shown.plans,
          others: shown.others,
        }),
      };
    },
    actions: {
      subscribe: (ctx, user, fields) => change(ctx, user, fields, "subscribe"),
      unsubscribe: (ctx, user, fields) => change(ctx, user, fields, "unsubscribe"),
    },
  };
}
