/**
 * @module
 * Escaping and the page frame (layout and the small built-in stylesheet).
 */

import { encodeBase64 } from "@oslojs/encoding";
import { sha256 } from "../sha256.ts";
import type { Text } from "./text.ts";

const entities: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for HTML content and quoted attributes.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">') // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => entities[c]!);
}

/**
 * The built-in stylesheet: readable, mobile-friendly, visible focus, no external requests. WCAG AA in
 * both colour schemes (the browser test measures it): text 4.5:1, input borders (`--field`) 3:1, the
 * primary buttons' text (`--on-accent`) 4.5:1 on the accent; a gutter around the card on narrow screens.
 */
export const stylesheet = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#f6f7f9;--card:#fff;--line:#c9ced6;--field:#767d87;--accent:#1f5fd1;--on-accent:#fff;--error:#b42318;--ok:#067647}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#14171a;--card:#1e2226;--line:#3b424a;--field:#8b949e;--accent:#7aa7ff;--on-accent:#0b1320;--error:#ff8a80;--ok:#6ee7a8}}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{width:calc(100% - 2rem);max-width:28rem;margin:2rem auto;padding:1.5rem;background:var(--card);border:1px solid var(--line);border-radius:.75rem}
main.wide{max-width:48rem}
a{color:var(--accent)}
h1{font-size:1.5rem;margin:0 0 1rem;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input{width:100%;padding:.6rem .7rem;font:inherit;color:inherit;background:transparent;border:1px solid var(--field);border-radius:.5rem}
input[aria-invalid=true]{border-color:var(--error)}
button,.button{display:inline-block;margin-top:1rem;padding:.6rem 1.1rem;font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);border:0;border-radius:.5rem;cursor:pointer;text-decoration:none}
.secondary{background:transparent;color:var(--accent);border:1px solid var(--accent)}
table{width:100%;border-collapse:collapse;margin:0 0 1rem}
th,td{text-align:left;vertical-align:top;padding:.5rem .4rem;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
td.status{overflow-wrap:normal;white-space:nowrap}
@media (max-width:30rem){main{padding:1rem}.wide-only{display:none}}
thead th{border-bottom:2px solid var(--field)}
td code{font-size:.85em}
details.confirm{display:inline-block}
details.confirm>summary{list-style:none}
details.confirm>summary::-webkit-details-marker{display:none}
details.confirm[open]{display:block;margin-top:1rem;padding:.75rem;border:1px solid var(--error);border-radius:.5rem}
details.confirm[open]>summary{margin-top:0}
details.confirm p{margin:.5rem 0 0}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.error{color:var(--error)}
.ok{color:var(--ok)}
.alert{padding:.75rem;border:1px solid currentColor;border-radius:.5rem;margin:0 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}
code{font-size:.95em;overflow-wrap:anywhere}
fieldset{border:1px solid var(--line);border-radius:.5rem;margin:.75rem 0 0;padding:.5rem .75rem}
legend{font-weight:600;padding:0 .25rem}
label.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.4rem 0}
label.choice input{width:auto}
fieldset[aria-invalid=true]{border-color:var(--error)}
.secret{font-size:1.2em;letter-spacing:.05em}
[hidden]{display:none!important}
.providers{display:grid;gap:.5rem;margin:0 0 1rem}.providers .button{margin:0;text-align:center}
.or{text-align:center;margin:1rem 0 0}
`;

let hash: string | undefined;
/**
 * The CSP source that allows exactly the built-in stylesheet. Computed on first use, not at import: a
 * SHA-256 in a cold isolate costs milliseconds of start-up that a Worker serving no HTML should not pay.
 */
export function stylesheetHash(): string {
  hash ??= `'sha256-${encodeBase64(sha256(new TextEncoder().encode(stylesheet)))}'`;
  return hash;
}

/** A button on the login page that an extension adds (e.g. "Continue with Google"): a link. */
export interface LoginButton {
  label: string;
  /** Where the button goes (a GET route of the extension, e.g. `/accounts/oauth2/start?provider=Google`). */
  href: string;
  /** What the button stands for (e.g. the identity provider's name), for custom pages and tests. */
  id?: string;
}

/** What the extensions add to the login page's props. */
export interface LoginExtras {
  /** Buttons the extensions add (identity providers of managed login), shown above the form. */
  buttons?: LoginButton[];
  /** `false`: only the buttons, no password form (pools without passwords). @default true */
  passwordForm?: boolean;
}

/** The login page's extension buttons, as links; empty when there are none. */
export function buttonList(buttons: readonly LoginButton[]): string {
  if (!buttons.length) return "";
  const links = buttons.map(
    (b) =>
      `<a class="button secondary" href="${escapeHtml(b.href)}"${b.id ? ` data-provider="${escapeHtml(b.id)}"` : ""}>${escapeHtml(b.label)}</a>`,
  );
  return `<div class="providers">\n${links.join("\n")}\n</div>`;
}

/** Wraps page content in the document frame; `wide` gives tables (the staff pages) more room. */
export function layout(title: string, content: string, lang = "en", wide = false): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${stylesheet}</style>
</head>
<body>
<main${wide ? ' class="wide"' : ""}>
${content}
</main>
</body>
</html>`;
}

/** The built-in error page, on its own so that `protect` without the account pages can use it. */
export function errorPage({
  ctx,
  message,
  requestId,
}: {
  ctx: { text: Text };
  message: string;
  requestId: string;
}): string {
  const t = ctx.text;
  return layout(
    t["error.title"],
    `<h1>${escapeHtml(t["error.title"])}</h1>
<p>${escapeHtml(message)}</p>
<p>${escapeHtml(t["error.body"])} <code>${escapeHtml(requestId)}</code></p>`,
  );
}
