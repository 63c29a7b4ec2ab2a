/**
 * @module
 * The passkey pages (the list with rename and delete, the add form), their words, and the two steps
 * the extension adds to the challenge page: the passkey choice at SELECT_CHALLENGE and the passkey
 * sign-in at WEB_AUTHN. Every part that needs the script is hidden until the script shows it.
 */
import type { ChallengeStepContext } from "../http/extensions.ts";
import { escapeHtml, layout } from "../pages/html.ts";
import { passkeyScriptTag } from "./script.ts";

/** The words of the passkey pages; `options.text` of the warrant overrides any of them. */
export const passkeyText: Readonly<Record<string, string>> = {
  "passkeys.title": "Passkeys",
  "passkeys.link": "Passkeys",
  "passkeys.intro":
    "A passkey lets you sign in with your device's screen lock or a security key, without a password.",
  "passkeys.none": "You have no passkeys yet.",
  "passkeys.add": "Add a passkey",
  "passkeys.add.title": "Add a passkey",
  "passkeys.add.intro": "Give the passkey a name you will recognise, then follow your browser's prompt.",
  "passkeys.add.submit": "Create the passkey",
  "passkeys.name": "Name",
  "passkeys.rename": "Rename",
  "passkeys.delete": "Delete",
  "passkeys.added": "Added {date}",
  "passkeys.back": "Back to your profile",
  "passkeys.cancel": "Cancel",
  "passkeys.done.added": "The passkey was added.",
  "passkeys.done.renamed": "The passkey was renamed.",
  "passkeys.done.deleted": "The passkey was deleted.",
  "passkeys.rejected": "This passkey could not be added. Please try again.",
  "passkeys.nameInvalid": "Please use a name of at most 64 characters.",
  "passkeys.failed": "The passkey did not work. Please try again, or sign in another way.",
  "passkeys.needsScript": "Passkeys need JavaScript, which is off in this browser.",
  "passkeys.signIn": "Sign in with your passkey",
};

/** A passkey as the list page shows it. */
export interface PasskeyRow {
  id: string;
  /** The person's name for it, else Cognito's. */
  name: string;
  /** When it was added, ms since the epoch. */
  createdAt: number;
}

/** What every passkey page gets. */
export interface PasskeyPageContext {
  text: Readonly<Record<string, string>>;
  basePath: string;
  csrf: string;
}

/** The passkey pages; replace any through `passkeys({ pages })`. */
export interface PasskeyPages {
  /** The list: rename and delete each, a link to add one; `done` after an action. */
  list(props: {
    ctx: PasskeyPageContext;
    passkeys: PasskeyRow[];
    done?: "added" | "renamed" | "deleted";
    error?: string;
  }): string;
  /** The add form: a name, and the creation options for the script. */
  add(props: { ctx: PasskeyPageContext; options: string; name: string; error?: string }): string;
}

const csrfField = (csrf: string) => `<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">`;
const alert = (error?: string) =>
  error ? `<p class="alert error" role="alert">${escapeHtml(error)}</p>` : "";
const t = (text: Readonly<Record<string, string>>, key: string) => escapeHtml(text[key] ?? key);

/** The form the script completes: options in `data-passkey`, the result posted as `credential`. */
function ceremony(
  action: string,
  csrf: string,
  text: Readonly<Record<string, string>>,
  mode: "get" | "create",
  options: string,
  inner: string,
  submit: string,
): string {
  return `<form method="post" action="${escapeHtml(action)}" data-passkey="${escapeHtml(options)}" data-passkey-mode="${mode}" novalidate>
${csrfField(csrf)}<input type="hidden" name="credential" value="">
${inner}<p class="error" role="alert" data-passkey-error hidden>${t(text, "passkeys.failed")}</p>
<button type="submit" data-passkey-hidden hidden>${t(text, submit)}</button>
</form>
<noscript><p>${t(text, "passkeys.needsScript")}</p></noscript>
${passkeyScriptTag}`;
}

/** The built-in passkey pages. */
export const builtinPasskeyPages: PasskeyPages = {
  list({ ctx, passkeys, done, error }) {
    const b = escapeHtml(ctx.basePath);
    const item = (p: PasskeyRow) => {
      const action = `${b}/passkeys/${encodeURIComponent(p.id)}`;
      const date = new Date(p.createdAt).toISOString().slice(0, 10);
      return `<li data-passkey-id="${escapeHtml(p.id)}"><strong>${escapeHtml(p.name)}</strong> <span class="muted">${escapeHtml((ctx.text["passkeys.added"] ?? "").replace("{date}", date))}</span>
<form method="post" action="${action}" novalidate>${csrfField(ctx.csrf)}<input type="hidden" name="action" value="rename">
<label for="name-${escapeHtml(p.id)}">${t(ctx.text, "passkeys.name")}</label>
<input id="name-${escapeHtml(p.id)}" name="name" type="text" maxlength="64" value="${escapeHtml(p.name)}" required>
<div class="actions"><button type="submit" class="secondary">${t(ctx.text, "passkeys.rename")}</button></div></form>
<form method="post" action="${action}">${csrfField(ctx.csrf)}<input type="hidden" name="action" value="delete"><button type="submit" class="secondary">${t(ctx.text, "passkeys.delete")}</button></form></li>`;
    };
    return layout(
      ctx.text["passkeys.title"] ?? "",
      `<h1>${t(ctx.text, "passkeys.title")}</h1>
${done ? `<p class="alert ok" role="status">${t(ctx.text, `passkeys.done.${done}`)}</p>` : ""}${alert(error)}
<p>${t(ctx.text, "passkeys.intro")}</p>
${passkeys.length ? `<ul class="passkeys">\n${passkeys.map(item).join("\n")}\n</ul>` : `<p>${t(ctx.text, "passkeys.none")}</p>`}
<div class="actions"><a class="button" href="${b}/passkeys/add">${t(ctx.text, "passkeys.add")}</a>
<a href="${b}/profile">${t(ctx.text, "passkeys.back")}</a></div>`,
    );
  },

  add({ ctx, options, name, error }) {
    const b = escapeHtml(ctx.basePath);
    return layout(
      ctx.text["passkeys.add.title"] ?? "",
      `<h1>${t(ctx.text, "passkeys.add.title")}</h1>
${alert(error)}<p>${t(ctx.text, "passkeys.add.intro")}</p>
${ceremony(
  `${ctx.basePath}/passkeys/add`,
  ctx.csrf,
  ctx.text,
  "create",
  options,
  `<label for="f-name">${t(ctx.text, "passkeys.name")}</label>
<input id="f-name" name="name" type="text" maxlength="64" value="${escapeHtml(name)}" autocomplete="off">
`,
  "passkeys.add.submit",
)}
<p><a href="${b}/passkeys">${t(ctx.text, "passkeys.cancel")}</a></p>`,
    );
  },
};

/** SELECT_CHALLENGE: the passkey choice, a button shown only where the script runs. */
export function passkeyChoice(context: ChallengeStepContext, text: Readonly<Record<string, string>>): string {
  return `<form method="post" action="${escapeHtml(context.action)}">${csrfField(context.csrf)}<button type="submit" name="choice" value="WEB_AUTHN" data-passkey-hidden hidden>${t(text, "challenge.factor.WEB_AUTHN")}</button></form>
${passkeyScriptTag}`;
}

/** WEB_AUTHN: the sign-in with the request options Cognito issued. */
export function passkeySignIn(
  context: ChallengeStepContext,
  text: Readonly<Record<string, string>>,
  options: string,
): string {
  return ceremony(context.action, context.csrf, text, "get", options, "", "passkeys.signIn");
}
