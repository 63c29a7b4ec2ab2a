/**
 * @module
 * The built-in pages: server-rendered, accessible HTML that works without JavaScript. Each can be
 * replaced through `options.pages` by a function that takes the same props and returns HTML.
 */
import { challengePage } from "./challenge.ts";
import { csrfField, field, focusIndex } from "./fields.ts";
import { buttonList, errorPage, escapeHtml, layout } from "./html.ts";
import type { Pages, ProfileItem } from "./props.ts";
import { attributeLabel } from "./text.ts";

export type { LoginButton, LoginExtras } from "./html.ts";

export type {
  AdminSection,
  AdminUserRow,
  ChallengeChoice,
  FormField,
  PageContext,
  PageLink,
  PageProps,
  Pages,
  ProfileItem,
} from "./props.ts";

/** The built-in pages. */
export const builtinPages: Pages = {
  login({ ctx, error, notice, next, username = "", buttons = [], passwordForm = true, usernameOnly }) {
    const t = ctx.text;
    const invalid = error ? ' aria-invalid="true" aria-describedby="login-error"' : "";
    // The focus goes to the first empty field: the password when the username is kept from a failed try.
    const focusPassword = username !== "" && !usernameOnly;
    const providers = buttonList(buttons);
    const form = `<form method="post" action="${escapeHtml(ctx.basePath)}/login" novalidate>
${csrfField(ctx)}${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ""}
<label for="username">${escapeHtml(t["login.username"])}</label>
<input id="username" name="username" type="text" value="${escapeHtml(username)}" autocomplete="username" autocapitalize="none" spellcheck="false" required${invalid}${focusPassword ? "" : " autofocus"}>
${
  usernameOnly
    ? ""
    : `<label for="password">${escapeHtml(t["login.password"])}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}${focusPassword ? " autofocus" : ""}>
`
}<button type="submit">${escapeHtml(t[usernameOnly ? "login.continue" : "login.submit"])}</button>
</form>
<p><a href="${escapeHtml(ctx.basePath)}/password/forgot">${escapeHtml(t["password.forgotLink"])}</a> · <a href="${escapeHtml(ctx.basePath)}/signup">${escapeHtml(t["signup.link"])}</a></p>`;
    return layout(
      t["login.title"],
      `<h1>${escapeHtml(t["login.title"])}</h1>
${error ? `<p id="login-error" class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}${
  notice ? `<p class="alert ok" role="status">${escapeHtml(notice)}</p>` : ""
}
${providers}${providers && passwordForm ? `\n<p class="or">${escapeHtml(t["login.or"])}</p>\n` : ""}${passwordForm ? form : ""}`,
    );
  },

  challenge: challengePage,

  logout({ ctx }) {
    const t = ctx.text;
    return layout(
      t["logout.title"],
      `<h1>${escapeHtml(t["logout.title"])}</h1>
<p>${escapeHtml(t["logout.confirm"])}</p>
<form method="post" action="${escapeHtml(ctx.basePath)}/logout">${csrfField(ctx)}
<button type="submit">${escapeHtml(t["logout.submit"])}</button>
</form>`,
    );
  },

  profile({ ctx, items, updated, notice, links = [] }) {
    const t = ctx.text;
    const b = escapeHtml(ctx.basePath);
    const status = notice ?? (updated ? t["profile.updated"] : undefined);
    // A row of its own, so the value's cell keeps only the value.
    const mark = (i: ProfileItem) =>
      i.verified === undefined
        ? ""
        : `\n<dt>${escapeHtml(attributeLabel(t, `${i.attribute}_verified`))}</dt><dd data-verified="${escapeHtml(i.attribute)}">${
            i.verified
              ? escapeHtml(t["profile.verified"])
              : `${escapeHtml(t["profile.unverified"])} · <a href="${b}/profile/verify?attribute=${encodeURIComponent(i.attribute)}">${escapeHtml(t["profile.verify"])}</a>`
          }</dd>`;
    return layout(
      t["profile.title"],
      `<h1>${escapeHtml(t["profile.title"])}</h1>
${status ? `<p class="alert ok" role="status">${escapeHtml(status)}</p>` : ""}
<dl>
${items
  .map(
    (i) =>
      `<dt>${escapeHtml(i.label)}</dt><dd data-attribute="${escapeHtml(i.attribute)}">${
        i.value === undefined || i.value === ""
          ? `<span class="muted">${escapeHtml(t["profile.empty"])}</span>`
          : escapeHtml(i.value)
      }</dd>${mark(i)}`,
  )
  .join("\n")}
</dl>
<div class="actions">
<a class="button" href="${escapeHtml(ctx.basePath)}/profile/update">${escapeHtml(t["profile.edit"])}</a>
<a href="${escapeHtml(ctx.basePath)}/password/change">${escapeHtml(t["password.changeLink"])}</a>
${links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>`).join("\n")}
<form method="post" action="${escapeHtml(ctx.basePath)}/logout">${csrfField(ctx)}<button type="submit" class="secondary">${escapeHtml(t["logout.submit"])}</button></form>
</div>`,
    );
  },

  profileUpdate({ ctx, fields, error }) {
    const t = ctx.text;
    return layout(
      t["update.title"],
      `<h1>${escapeHtml(t["update.title"])}</h1>
${error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(ctx.basePath)}/profile/update" novalidate>
${csrfField(ctx)}
${fields.map((f) => field(f)).join("\n")}
<div class="actions"><button type="submit">${escapeHtml(t["update.submit"])}</button>
<a href="${escapeHtml(ctx.basePath)}/profile">${escapeHtml(t["update.cancel"])}</a></div>
</form>`,
    );
  },

  verify({ ctx, attribute, value, verified, fields, error, message }) {
    const t = ctx.text;
    const b = escapeHtml(ctx.basePath);
    const title = t[`verify.title.${attribute}`] ?? "";
    const hidden = `${csrfField(ctx)}<input type="hidden" name="attribute" value="${escapeHtml(attribute)}">`;
    return layout(
      title,
      `<h1>${escapeHtml(title)}</h1>
${error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}${
  message ? `<p class="alert${verified ? " ok" : ""}" role="status">${escapeHtml(message)}</p>` : ""
}
${
  value
    ? `<dl><dt>${escapeHtml(attributeLabel(t, attribute))}</dt><dd data-attribute="${escapeHtml(attribute)}">${escapeHtml(value)}</dd>
<dt>${escapeHtml(attributeLabel(t, `${attribute}_verified`))}</dt><dd data-verified="${escapeHtml(attribute)}">${escapeHtml(
        verified ? t["profile.verified"] : t["profile.unverified"],
      )}</dd></dl>`
    : ""
}
${
  fields.length
    ? `<form method="post" action="${b}/profile/verify" novalidate>
${hidden}
${fields.map((f) => field(f, true)).join("\n")}
<button type="submit">${escapeHtml(t["verify.submit"])}</button>
</form>
<form method="post" action="${b}/profile/verify">${hidden}<button type="submit" class="secondary">${escapeHtml(t["verify.send"])}</button></form>`
    : ""
}
<p><a href="${b}/profile">${escapeHtml(t["verify.back"])}</a></p>`,
    );
  },

  password({ ctx, kind, fields, error, message, intro }) {
    const t = ctx.text;
    const title = t[`password.${kind}.title`] ?? "";
    const links =
      kind === "forgot"
        ? `<p><a href="${escapeHtml(ctx.basePath)}/password/reset">${escapeHtml(t["password.haveCode"])}</a></p>`
        : kind === "reset"
          ? `<p><a href="${escapeHtml(ctx.basePath)}/password/forgot">${escapeHtml(t["password.newCode"])}</a></p>`
          : "";
    return layout(
      title,
      `<h1>${escapeHtml(title)}</h1>
${error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}${
  message ? `<p class="alert ok" role="status">${escapeHtml(message)}</p>` : ""
}${intro ? `<p>${escapeHtml(intro)}</p>` : ""}
<form method="post" action="${escapeHtml(ctx.basePath)}/password/${kind}" novalidate>
${csrfField(ctx)}
${fields.map((f, i) => field(f, i === focusIndex(fields))).join("\n")}
<button type="submit">${escapeHtml(t[`password.${kind}.submit`] ?? "")}</button>
</form>
${links}`,
    );
  },

  signup({ ctx, kind, fields, error, message }) {
    const t = ctx.text;
    const title = t[`signup.${kind}.title`] ?? "";
    const action = kind === "signup" ? "signup" : "signup/confirm";
    return layout(
      title,
      `<h1>${escapeHtml(title)}</h1>
${error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}${
  message ? `<p class="alert ok" role="status">${escapeHtml(message)}</p>` : ""
}
<form method="post" action="${escapeHtml(ctx.basePath)}/${action}" novalidate>
${csrfField(ctx)}
${fields.map((f, i) => field(f, i === focusIndex(fields))).join("\n")}
<button type="submit">${escapeHtml(t[`signup.${kind}.submit`] ?? "")}</button>
</form>
<p><a href="${escapeHtml(ctx.basePath)}/login">${escapeHtml(t["signup.haveAccount"])}</a></p>`,
    );
  },

  adminUsers({ ctx, users, next }) {
    const t = ctx.text;
    const b = escapeHtml(ctx.basePath);
    return layout(
      t["admin.users.title"],
      `<h1>${escapeHtml(t["admin.users.title"])}</h1>
<table>
<thead><tr><th scope="col">${escapeHtml(t["attr.email"])}</th><th scope="col">${escapeHtml(t["admin.status"])}</th><th scope="col" class="wide-only">${escapeHtml(t["admin.username"])}</th></tr></thead>
<tbody>
${users
  .map(
    (u) =>
      `<tr><td><a href="${b}/admin/users/${encodeURIComponent(u.username)}">${escapeHtml(u.email || u.username)}</a></td><td class="status">${escapeHtml(
        u.enabled ? u.status : `${u.status} (${t["admin.disabled"]})`,
      )}</td><td class="wide-only"><code>${escapeHtml(u.username)}</code></td></tr>`,
  )
  .join("\n")}
</tbody>
</table>
${next ? `<p><a href="${b}/admin/users?page=${encodeURIComponent(next)}">${escapeHtml(t["admin.next"])}</a></p>` : ""}`,
      "en",
      true,
    );
  },

  adminUser({ ctx, user, done, notice, sections = [] }) {
    const t = ctx.text;
    const b = escapeHtml(ctx.basePath);
    const action = (name: string, label: string, secondary = true) =>
      `<form method="post" action="${b}/admin/users/${encodeURIComponent(user.username)}">${csrfField(ctx)}<input type="hidden" name="action" value="${name}"><button type="submit"${
        secondary ? ' class="secondary"' : ""
      }>${escapeHtml(label)}</button></form>`;
    // Disabling asks first, without JavaScript: the button only opens the question and the real one.
    const disable = `<details class="confirm"><summary class="button secondary">${escapeHtml(t["admin.disable"])}</summary>
<p>${escapeHtml(t["admin.disableConfirm"])}</p>
${action("disable", t["admin.disableYes"], false)}
</details>`;
    return layout(
      user.email || user.username,
      `<h1>${escapeHtml(user.email || user.username)}</h1>
${done || notice ? `<p class="alert ok" role="status">${escapeHtml(notice ?? t[`admin.done.${done}`] ?? "")}</p>` : ""}
<dl>
<dt>${escapeHtml(t["admin.username"])}</dt><dd><code>${escapeHtml(user.username)}</code></dd>
<dt>${escapeHtml(t["admin.status"])}</dt><dd>${escapeHtml(user.status)}${user.enabled ? "" : ` (${escapeHtml(t["admin.disabled"])})`}</dd>
<dt>${escapeHtml(t["admin.groups"])}</dt><dd>${escapeHtml(user.groups.join(", ") || "—")}</dd>
<dt>${escapeHtml(t["admin.sessions"])}</dt><dd>${user.sessions}</dd>
${Object.entries(user.fields)
  .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
  .join("\n")}
</dl>
<div class="actions">
${user.enabled ? disable : action("enable", t["admin.enable"])}
${action("signout", t["admin.signout"])}
<a href="${b}/admin/users">${escapeHtml(t["admin.back"])}</a>
</div>
${sections.map((s) => `<section data-extension="${escapeHtml(s.name)}">\n${s.html}\n</section>`).join("\n")}`,
    );
  },

  error: errorPage,
};
