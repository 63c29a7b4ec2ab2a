/**
 * @module
 * The built-in challenge page: the form of each login challenge (new password, a code, the MFA choice,
 * TOTP enrolment), the choice of factors of USER_AUTH, an extension's step (a passkey), "sign in another
 * way", and the "sign in again" page.
 */
import { csrfField, field, focusIndex } from "./fields.ts";
import { escapeHtml, layout } from "./html.ts";
import type { ChallengeChoice, PageProps } from "./props.ts";

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

/** The challenge page. */
export function challengePage(props: PageProps["challenge"]): string {
  const { ctx, name, message, error, fields = [], choices = [], choiceError, totp, next } = props;
  const { factors = [], hidden = {}, step = "" } = props;
  const t = ctx.text;
  const action = `${ctx.basePath}/login/challenge${next ? `?next=${encodeURIComponent(next)}` : ""}`;
  const form = (inner: string) =>
    `<form method="post" action="${escapeHtml(action)}" novalidate>
${csrfField(ctx)}
${inner}
</form>`;
  const buttons = factors
    .map(
      (f) =>
        `<button type="submit" name="choice" value="${escapeHtml(f.value)}" class="secondary">${escapeHtml(f.label)}</button>`,
    )
    .join("\n");
  const more = `${step}${factors.length ? form(`<div class="actions">${buttons}</div>`) : ""}${
    props.anotherWay
      ? form(
          `<button type="submit" name="anotherWay" value="1" class="secondary">${escapeHtml(t["challenge.anotherWay"])}</button>`,
        )
      : ""
  }`;
  const answerable = name !== undefined && (fields.length > 0 || choices.length > 0 || more !== "");
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
    ? `${setup}${
        fields.length || choices.length
          ? form(`${Object.entries(hidden)
              .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
              .join("")}${choices.length ? choiceFieldset(choices, t["challenge.method"], choiceError) : ""}
${fields.map((f, i) => field(f, i === focus)).join("\n")}${props.inForm ?? ""}
<button type="submit">${escapeHtml(props.submit ?? t["challenge.submit"])}</button>`)
          : ""
      }${more}`
    : `<p><a class="button" href="${escapeHtml(ctx.basePath)}/login">${escapeHtml(t["challenge.restart"])}</a></p>`
}`,
  );
}
