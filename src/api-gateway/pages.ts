/**
 * @module
 * The HTML of `@warrant/cognito/api-gateway`: the subscriptions page a user sees, the section on the
 * staff page of a user, and their words (`apiGatewayText`, replaceable through `options.text`).
 */

import type { ApiKeyInfo, UsagePlan } from "../cognito/api-gateway.ts";
import { escapeHtml, layout } from "../pages/html.ts";
import type { PageContext } from "../pages/pages.ts";
import { fill, type Text } from "../pages/text.ts";

/** The default words of the API Gateway pages. */
export const apiGatewayText: Readonly<Record<string, string>> = {
  "apiGateway.link": "API subscriptions",
  "apiGateway.title": "Your API subscriptions",
  "apiGateway.noKey": "Your account has no API key yet, so it is not subscribed to any usage plan.",
  "apiGateway.none": "Your API key is not subscribed to any usage plan.",
  "apiGateway.description": "Description",
  "apiGateway.throttle": "Rate limit",
  "apiGateway.quota": "Quota",
  "apiGateway.throttleValue": "{rate} requests per second, bursts of {burst}",
  "apiGateway.quotaValue": "{limit} requests per {period}",
  "apiGateway.period.DAY": "day",
  "apiGateway.period.WEEK": "week",
  "apiGateway.period.MONTH": "month",
  "apiGateway.unlimited": "None",
  "apiGateway.back": "Back to your profile",
  "apiGateway.admin.title": "API key and usage plans",
  "apiGateway.admin.noKey": "This user has no API key.",
  "apiGateway.admin.unknownKey": "API Gateway does not know this user's API key.",
  "apiGateway.admin.key": "API key",
  "apiGateway.admin.enabled": "enabled",
  "apiGateway.admin.disabled": "disabled",
  "apiGateway.admin.subscribed": "Subscribed to",
  "apiGateway.admin.none": "The key is not subscribed to any usage plan.",
  "apiGateway.admin.offered": "Other plans offered",
  "apiGateway.admin.noOther": "No other plan is offered.",
  "apiGateway.admin.subscribe": "Subscribe to {plan}",
  "apiGateway.admin.unsubscribe": "Unsubscribe from {plan}",
  "apiGateway.admin.notOffered": "This plan is not offered here.",
  "admin.done.api-gateway.subscribe": "The API key was subscribed to the plan.",
  "admin.done.api-gateway.unsubscribe": "The API key was unsubscribed from the plan.",
};

/** Props of the subscriptions page. */
export interface SubscriptionsProps {
  ctx: PageContext;
  /** The user's API key id; absent when the user has none. */
  keyId?: string;
  /** The plans the key is on. */
  plans: UsagePlan[];
}

/** Props of the section on the staff page of a user. */
export interface AdminSectionProps {
  ctx: PageContext;
  /** The user's Cognito username (where the forms post). */
  username: string;
  keyId?: string;
  /** GetApiKey's answer: `null` when API Gateway does not know the key. */
  key?: ApiKeyInfo | null;
  /** The plans the key is on, each with whether this app offers it (only those can be left here). */
  plans: (UsagePlan & { offered: boolean })[];
  /** The offered plans the key is not on. */
  others: UsagePlan[];
}

/** A plan's throttle and quota in words. */
export function planLimits(text: Text, p: UsagePlan): { throttle: string; quota: string } {
  const none = text["apiGateway.unlimited"] ?? "";
  return {
    throttle: p.throttle
      ? fill(text["apiGateway.throttleValue"] ?? "", {
          rate: String(p.throttle.rateLimit ?? "–"),
          burst: String(p.throttle.burstLimit ?? "–"),
        })
      : none,
    quota: p.quota
      ? fill(text["apiGateway.quotaValue"] ?? "", {
          limit: String(p.quota.limit),
          period: text[`apiGateway.period.${p.quota.period}`] ?? p.quota.period.toLowerCase(),
        })
      : none,
  };
}

/** The plans, one block each (a table does not fit the page's narrow card): name, description, limits. */
function planList(
  text: Text,
  plans: UsagePlan[],
  heading: "h2" | "h4",
  action?: (p: UsagePlan) => string,
): string {
  const t = (key: string) => escapeHtml(text[key]);
  return plans
    .map((p) => {
      const limits = planLimits(text, p);
      return `<div class="plan" data-plan="${escapeHtml(p.id)}">
<${heading}>${escapeHtml(p.name)}</${heading}>
<dl><dt>${t("apiGateway.description")}</dt><dd>${escapeHtml(p.description) || t("apiGateway.unlimited")}</dd>
<dt>${t("apiGateway.throttle")}</dt><dd data-limit="throttle">${escapeHtml(limits.throttle)}</dd>
<dt>${t("apiGateway.quota")}</dt><dd data-limit="quota">${escapeHtml(limits.quota)}</dd></dl>${action ? `\n${action(p)}` : ""}
</div>`;
    })
    .join("\n");
}

/** The built-in subscriptions page. */
export function subscriptionsPage({ ctx, keyId, plans }: SubscriptionsProps): string {
  const t = ctx.text;
  const empty = keyId === undefined ? t["apiGateway.noKey"] : plans.length === 0 ? t["apiGateway.none"] : "";
  return layout(
    t["apiGateway.title"] ?? "",
    `<h1>${escapeHtml(t["apiGateway.title"])}</h1>
${empty ? `<p class="alert" role="status" data-empty="${keyId === undefined ? "no-key" : "no-plans"}">${escapeHtml(empty)}</p>` : planList(t, plans, "h2")}
<p><a href="${escapeHtml(ctx.basePath)}/profile">${escapeHtml(t["apiGateway.back"])}</a></p>`,
  );
}

/** The built-in section of the staff page of a user. */
export function adminSection({ ctx, username, keyId, key, plans, others }: AdminSectionProps): string {
  const t = ctx.text;
  const action = `${escapeHtml(ctx.basePath)}/admin/users/${encodeURIComponent(username)}`;
  const button = (verb: "subscribe" | "unsubscribe", p: UsagePlan) =>
    `<form method="post" action="${action}"><input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}"><input type="hidden" name="action" value="api-gateway.${verb}"><input type="hidden" name="plan" value="${escapeHtml(p.id)}"><button type="submit"${
      verb === "unsubscribe" ? ' class="secondary"' : ""
    }>${escapeHtml(fill(t[`apiGateway.admin.${verb}`] ?? "", { plan: p.name }))}</button></form>`;
  const head = `<h2>${escapeHtml(t["apiGateway.admin.title"])}</h2>`;
  if (keyId === undefined)
    return `${head}\n<p data-empty="no-key">${escapeHtml(t["apiGateway.admin.noKey"])}</p>`;
  const status = key
    ? `${escapeHtml(key.name || key.id)} (${escapeHtml(t[key.enabled ? "apiGateway.admin.enabled" : "apiGateway.admin.disabled"])})`
    : escapeHtml(t["apiGateway.admin.unknownKey"]);
  return `${head}
<dl><dt>${escapeHtml(t["apiGateway.admin.key"])}</dt><dd data-key-id="${escapeHtml(keyId)}"><code>${escapeHtml(keyId)}</code> ${status}</dd></dl>
<h3>${escapeHtml(t["apiGateway.admin.subscribed"])}</h3>
${plans.length ? planList(t, plans, "h4", (p) => (plans.find((x) => x.id === p.id)?.offered ? button("unsubscribe", p) : "")) : `<p>${escapeHtml(t["apiGateway.admin.none"])}</p>`}
${
  key
    ? `<h3>${escapeHtml(t["apiGateway.admin.offered"])}</h3>
${others.length ? planList(t, others, "h4", (p) => button("subscribe", p)) : `<p>${escapeHtml(t["apiGateway.admin.noOther"])}</p>`}`
    : ""
}`;
}
