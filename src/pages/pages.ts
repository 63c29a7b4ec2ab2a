/**
 * @module
 * The built-in pages: server-rendered, accessible HTML that works without JavaScript. Each can be
 * replaced through `options.pages` by a function that takes the same props and returns HTML.
 */
import { escapeHtml, layout } from "./html.ts";
import { attributeLabel, type Text } from "./text.ts";

/** What every page gets: the text table, where the routes live, and the form's CSRF token. */
export interface PageContext {
  text: Text;
  basePath: string;
  /** The CSRF token every form must carry as the `csrf` field. */
  csrf: string;
}

/** A labelled value on the profile page. */
export interface ProfileItem {
  attribute: string;
  label: string;
  value: string | undefined;
  /** For an email or phone number the user has: whether Cognito counts it as verified. */
  verified?: boolean;
}

/** A link on a page (e.g. one an extension adds to the profile). */
export interface PageLink {
  href: string;
  label: string;
}

/** What an extension adds to the staff page of one user. */
export interface AdminSection {
  /** The extension's name. */
  name: string;
  /** Its HTML, ready to place. */
  html: string;
}

/** A field of a form (profile update, login challenge). */
export interface FormField {
  /** The form field name (the local field). */
  name: string;
  label: string;
  value: string;
  type: "text" | "email" | "tel" | "url" | "date" | "password";
  autocomplete: string;
  /** `numeric` brings up the digit keypad on phones for codes. */
  inputmode?: "numeric";
  required?: boolean;
  error?: string;
}

/** A user as the admin pages list them. */
export interface AdminUserRow {
  /** The Cognito username (never changes). */
  username: string;
  email: string;
  /** Cognito's status: CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, … */
  status: string;
  enabled: boolean;
  /** The user's attributes through the mapping. */
  fields: Record<string, string>;
}

/** One choice of a SELECT_MFA_TYPE challenge. */
export interface ChallengeChoice {
  /** The MFA type sent back as `mfaType` (e.g. `SOFTWARE_TOKEN_MFA`). */
  value: string;
  label: string;
}

/** Props of each page. */
export interface PageProps {
  login: { ctx: PageContext; error?: string; next?: string; username?: string };
  challenge: {
    ctx: PageContext;
    /** The challenge being answered; absent on the "sign in again" page (expired, used up, too many attempts). */
    name?: string;
    /** What to do, or why the sign-in has to start again. */
    message: string;
    /** An error about the whole form; errors about one field sit on that field. */
    error?: string;
    /** Passwords and attributes (NEW_PASSWORD_REQUIRED) or the code (the MFA challenges). */
    fields?: FormField[];
    /** SELECT_MFA_TYPE: the methods to choose from, posted as `mfaType`. */
    choices?: ChallengeChoice[];
    /** SELECT_MFA_TYPE: the error tied to the choice. */
    choiceError?: string;
    /** MFA_SETUP: the secret and `otpauth://` URI to add to an authenticator app. */
    totp?: { secret: string; uri: string };
    /** A safe path to go to after the login, carried in the form's action. */
    next?: string;
  };
  logout: { ctx: PageContext };
  profile: {
    ctx: PageContext;
    items: ProfileItem[];
    updated: boolean;
    /** Another confirmation to show (e.g. after a password change). */
    notice?: string;
    /** Links the extensions add (e.g. to the API subscriptions). */
    links?: PageLink[];
  };
  /** Proving an email address or phone number with the code Cognito sends to it. */
  verify: {
    ctx: PageContext;
    attribute: "email" | "phone_number";
    /** The current value, where the code goes; empty when the user has none. */
    value: string;
    verified: boolean;
    /** The code field, when there is something to verify. */
    fields: FormField[];
    error?: string;
    message?: string;
  };
  profileUpdate: { ctx: PageContext; fields: FormField[]; error?: string };
  error: { ctx: PageContext; status: number; message: string; requestId: string };
  /** Staff: the pool's users, a page at a time (`next` is the token of the next page). */
  adminUsers: { ctx: PageContext; users: AdminUserRow[]; next?: string };
  /** Staff: one user, with disable / enable / sign-out-everywhere actions. */
  adminUser: {
    ctx: PageContext;
    user: AdminUserRow & { groups: string[]; sessions: number };
    done?: "disable" | "enable" | "signout";
    /** The confirmation of an extension's action. */
    notice?: string;
    /** The extensions' sections, in order. */
    sections?: AdminSection[];
  };
  /** Registration: `signup` (the account form) and `confirm` (the code Cognito sent). */
  signup: {
    ctx: PageContext;
    kind: "signup" | "confirm";
    fields: FormField[];
    error?: string;
    message?: string;
  };
  /** Password upkeep: change (signed in), forgot (ask for a code), reset (code + new password). */
  password: {
    ctx: PageContext;
    kind: "change" | "forgot" | "reset";
    fields: FormField[];
    /** An error about the whole form. */
    error?: string;
    /** A note above the form (e.g. "a code is on its way"). */
    message?: string;
  };
}

/** The page renderers; any subset can be passed as `options.pages`. */
export type Pages = { [K in keyof PageProps]: (props: PageProps[K]) => string };

const csrfField = (ctx: PageContext) => `<input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">`;

function field(f: FormField, autofocus = false): string {
  const id = `f-${escapeHtml(f.name)}`;
  const errorId = `${id}-error`;
  return `<label for="${id}">${escapeHtml(f.label)}</label>
<input id="${id}" name="${escapeHtml(f.name)}" type="${f.type}" value="${escapeHtml(f.value)}" autocomplete="${escapeHtml(f.autocomplete)}"${
    f.inputmode ? ` inputmode="${f.inputmode}"` : ""
  }${f.required ? " required" : ""}${f.error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ""}${
    autofocus ? " autofocus" : ""
  }>${f.error ? `<p id="${errorId}" class="error">${escapeHtml(f.error)}</p>` : ""}`;
}

/** The index of the field to focus: the first one in error, else the first one. */
function focusIndex(fields: FormField[]): number {
  const wrong = fields.findIndex((f) => f.error);
  return wrong === -1 ? 0 : wrong;
}

function choiceFieldset(choices: ChallengeChoice[], legend: string, error?: string): string {
  const errorId = "f-mfaType-error";
  return `<fieldset${error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ""}>
<legend>${escapeHtml(legend)}</legend>
${choices
  .map(
    (c, i) =>
      `<label class="choice"><input type="radio" name="mfaType" value="${escapeHtml(c.value)}"${
        i === 0 && choices.length === 1 ? " checked" : ""
      } required> ${escapeHtml(c.label)}</label>`,
  )
  .join("\n")}
</fieldset>${error ? `<p id="${errorId}" class="error">${escapeHtml(error)}</p>` : ""}`;
}

/** A base32 secret in groups of four, easier to read and type. */
function grouped(secret: string): string {
  return (secret.match(/.{1,4}/g) ?? []).join(" ");
}

/** The built-in pages. */
export const builtinPages: Pages = {
  login({ ctx, error, next }) {
    const t = ctx.text;
    return layout(
      t["login.title"],
      `<h1>${escapeHtml(t["login.title"])}</h1>
${error ? `<p id="login-error" class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${escapeHtml(ctx.basePath)}/login" novalidate>
${csrfField(ctx)}${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ""}
<label for="username">${escapeHtml(t["login.username"])}</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required${
        error ? ' aria-invalid="true" aria-describedby="login-error"' : ""
      } autofocus>
<label for="password">${escapeHtml(t["login.password"])}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${
        error ? ' aria-invalid="true" aria-describedby="login-error"' : ""
      }>
<button type="submit">${escapeHtml(t["login.submit"])}</button>
</form>
<p><a href="${escapeHtml(ctx.basePath)}/password/forgot">${escapeHtml(t["password.forgotLink"])}</a> · <a href="${escapeHtml(ctx.basePath)}/signup">${escapeHtml(t["signup.link"])}</a></p>`,
    );
  },

  challenge({ ctx, name, message, error, fields = [], choices = [], choiceError, totp, next }) {
    const t = ctx.text;
    const action = `${ctx.basePath}/login/challenge${next ? `?next=${encodeURIComponent(next)}` : ""}`;
    const answerable = name !== undefined && (fields.length > 0 || choices.length > 0);
    const setup = totp
      ? `<p><a href="${escapeHtml(totp.uri)}">${escapeHtml(t["challenge.setupLink"])}</a></p>
<p>${escapeHtml(t["challenge.setupSecret"])}</p>
<p><code class="secret" data-totp-secret="${escapeHtml(totp.secret)}">${escapeHtml(grouped(totp.secret))}</code></p>
<details><summary>${escapeHtml(t["challenge.setupUri"])}</summary><p><code class="uri">${escapeHtml(totp.uri)}</code></p></details>`
      : "";
    const focus = choices.length ? -1 : focusIndex(fields);
    return layout(
      t["challenge.title"],
      `<h1>${escapeHtml(t["challenge.title"])}</h1>
${error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : ""}
<p>${escapeHtml(message)}</p>
${
  answerable
    ? `${setup}<form method="post" action="${escapeHtml(action)}" novalidate>
${csrfField(ctx)}
${choices.length ? choiceFieldset(choices, t["challenge.method"], choiceError) : ""}
${fields.map((f, i) => field(f, i === focus)).join("\n")}
<button type="submit">${escapeHtml(t["challenge.submit"])}</button>
</form>`
    : `<p><a class="button" href="${escapeHtml(ctx.basePath)}/login">${escapeHtml(t["challenge.restart"])}</a></p>`
}`,
    );
  },

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

  password({ ctx, kind, fields, error, message }) {
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
}
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
<thead><tr><th scope="col">${escapeHtml(t["attr.email"])}</th><th scope="col">${escapeHtml(t["admin.status"])}</th><th scope="col">${escapeHtml(t["admin.username"])}</th></tr></thead>
<tbody>
${users
  .map(
    (u) =>
      `<tr><td><a href="${b}/admin/users/${encodeURIComponent(u.username)}">${escapeHtml(u.email || u.username)}</a></td><td>${escapeHtml(
        u.enabled ? u.status : `${u.status} (${t["admin.disabled"]})`,
      )}</td><td><code>${escapeHtml(u.username)}</code></td></tr>`,
  )
  .join("\n")}
</tbody>
</table>
${next ? `<p><a href="${b}/admin/users?page=${encodeURIComponent(next)}">${escapeHtml(t["admin.next"])}</a></p>` : ""}`,
    );
  },

  adminUser({ ctx, user, done, notice, sections = [] }) {
    const t = ctx.text;
    const b = escapeHtml(ctx.basePath);
    const action = (name: string, label: string, secondary = true) =>
      `<form method="post" action="${b}/admin/users/${encodeURIComponent(user.username)}">${csrfField(ctx)}<input type="hidden" name="action" value="${name}"><button type="submit"${
        secondary ? ' class="secondary"' : ""
      }>${escapeHtml(label)}</button></form>`;
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
${user.enabled ? action("disable", t["admin.disable"]) : action("enable", t["admin.enable"])}
${action("signout", t["admin.signout"])}
<a href="${b}/admin/users">${escapeHtml(t["admin.back"])}</a>
</div>
${sections.map((s) => `<section data-extension="${escapeHtml(s.name)}">\n${s.html}\n</section>`).join("\n")}`,
    );
  },

  error({ ctx, message, requestId }) {
    const t = ctx.text;
    return layout(
      t["error.title"],
      `<h1>${escapeHtml(t["error.title"])}</h1>
<p>${escapeHtml(message)}</p>
<p>${escapeHtml(t["error.body"])} <code>${escapeHtml(requestId)}</code></p>`,
    );
  },
};
