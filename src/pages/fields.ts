/**
 * @module
 * The pieces every built-in form is made of: the CSRF field, a labelled input with its error, and which
 * field takes the focus.
 */
import { escapeHtml } from "./html.ts";
import type { FormField, PageContext } from "./props.ts";

/** The hidden CSRF field every form carries. */
export const csrfField = (ctx: PageContext): string =>
  `<input type="hidden" name="csrf" value="${escapeHtml(ctx.csrf)}">`;

/** A labelled input, with its error tied to it. */
export function field(f: FormField, autofocus = false): string {
  const id = `f-${escapeHtml(f.name)}`;
  const errorId = `${id}-error`;
  return `<label for="${id}">${escapeHtml(f.label)}</label>
<input id="${id}" name="${escapeHtml(f.name)}" type="${f.type}" value="${escapeHtml(f.value)}" autocomplete="${escapeHtml(f.autocomplete)}"${
    f.inputmode ? ` inputmode="${f.inputmode}"` : ""
  }${f.required ? " required" : ""}${f.error ? ` aria-invalid="true" aria-describedby="${errorId}"` : ""}${
    autofocus ? " autofocus" : ""
  }>${f.error ? `<p id="${errorId}" class="error">${escapeHtml(f.error)}</p>` : ""}`;
}

/**
 * The index of the field to focus: the first one in error, else the first empty one (a username carried
 * over from the page before is skipped), else the first one.
 */
export function focusIndex(fields: FormField[]): number {
  const wrong = fields.findIndex((f) => f.error);
  if (wrong !== -1) return wrong;
  const empty = fields.findIndex((f) => f.value === "");
  return empty === -1 ? 0 : empty;
}
