/**
 * @module
 * The pages of the devices extension: "where you're signed in" (this library's sessions, the remembered
 * devices, Cognito's own sessions where the pool has them), the staff section of a user's page, the
 * "remember this browser" box of the MFA step, and their words.
 */
import type { CognitoSession, TrackedDevice } from "../cognito/devices.ts";
import { escapeHtml, layout } from "../pages/html.ts";
import type { SessionInfo } from "../sessions/store.ts";

/** The words of the devices pages; `options.text` of the warrant overrides any of them. */
export const deviceText: Readonly<Record<string, string>> = {
  "devices.link": "Where you're signed in",
  "devices.title": "Where you're signed in",
  "devices.sessions": "Sessions",
  "devices.sessions.intro": "Each browser where you are signed in to this site.",
  "devices.thisBrowser": "This browser",
  "devices.unknownAgent": "Unknown browser",
  "devices.signedIn": "Signed in {date}",
  "devices.lastSeen": "last seen {date}",
  "devices.end": "Sign out",
  "devices.endOthers": "Sign out everywhere else",
  "devices.endAll": "Sign out of every session",
  "devices.devices": "Devices",
  "devices.devices.intro":
    "Browsers Cognito knows for your account. A remembered one skips the second step of signing in.",
  "devices.devices.none": "Cognito knows no browser of yours yet.",
  "devices.remembered": "remembered",
  "devices.notRemembered": "not remembered",
  "devices.lastUsed": "last used {date}",
  "devices.forget": "Forget",
  "devices.cognito": "Sessions at Cognito",
  "devices.cognito.intro": "Every session Cognito has for your account, from any app.",
  "devices.revoke": "End",
  "devices.back": "Back to your profile",
  "devices.remember": "Remember this browser (skip this step next time)",
  "devices.done.ended": "That session was signed out.",
  "devices.done.endedOthers": "Every other session was signed out.",
  "devices.done.forgotten": "The device was forgotten.",
  "devices.done.revoked": "The Cognito session was ended.",
  "admin.done.devices.end": "The session was signed out.",
  "admin.done.devices.endAll": "Every session of this user was signed out.",
  "admin.done.devices.forget": "The device was forgotten.",
  "admin.done.devices.revoke": "The Cognito session was ended.",
};

/** What the page gets. */
export interface SignedInPageProps {
  text: Readonly<Record<string, string>>;
  basePath: string;
  csrf: string;
  sessions: SessionInfo[];
  devices: (TrackedDevice & { current: boolean })[];
  /** Cognito's session list, when the option is on and the pool has it. */
  cognitoSessions?: CognitoSession[];
  done?: string;
}

/** The page; replace it through `devices({ page })`. */
export type SignedInPage = (props: SignedInPageProps) => string;

const t = (text: Readonly<Record<string, string>>, key: string, values: Record<string, string> = {}) =>
  escapeHtml(Object.entries(values).reduce((s, [k, v]) => s.replace(`{${k}}`, v), text[key] ?? key));
const when = (ms: number | undefined) =>
  ms ? `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";
const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join("");
/** A one-button form. */
export const button = (action: string, csrf: string, fields: Record<string, string>, label: string): string =>
  `<form method="post" action="${escapeHtml(action)}">${hidden({ csrf, ...fields })}<button type="submit" class="secondary">${label}</button></form>`;

/** The session rows (shared with the staff section). */
export function sessionItems(
  text: Readonly<Record<string, string>>,
  sessions: SessionInfo[],
  end: (s: SessionInfo) => string,
): string {
  return sessions
    .map(
      (
        s,
      ) => `<li data-session="${escapeHtml(s.id)}"><strong>${escapeHtml(s.userAgent ?? text["devices.unknownAgent"] ?? "")}</strong>${
        s.current ? ` <span class="badge">${t(text, "devices.thisBrowser")}</span>` : ""
      }
<span class="muted">${t(text, "devices.signedIn", { date: when(s.createdAt) })}, ${t(text, "devices.lastSeen", { date: when(s.lastSeenAt) })}</span>
${s.current ? "" : end(s)}</li>`,
    )
    .join("\n");
}

/** The device rows (shared with the staff section). */
export function deviceItems(
  text: Readonly<Record<string, string>>,
  devices: (TrackedDevice & { current?: boolean })[],
  forget: (d: TrackedDevice) => string,
): string {
  return devices
    .map(
      (
        d,
      ) => `<li data-device="${escapeHtml(d.key)}"><strong>${escapeHtml(d.name || text["devices.unknownAgent"] || "")}</strong>${
        d.current ? ` <span class="badge">${t(text, "devices.thisBrowser")}</span>` : ""
      }
<span class="muted">${t(text, d.remembered ? "devices.remembered" : "devices.notRemembered")}, ${t(text, "devices.lastUsed", { date: when(d.lastAuthenticatedAt) })}</span>
${forget(d)}</li>`,
    )
    .join("\n");
}

/** Cognito's session rows. */
export function cognitoItems(
  text: Readonly<Record<string, string>>,
  sessions: CognitoSession[],
  revoke: (s: CognitoSession) => string,
): string {
  return sessions
    .map(
      (
        s,
      ) => `<li data-cognito-session="${escapeHtml(s.id)}"><strong>${escapeHtml(s.deviceType ?? text["devices.unknownAgent"] ?? "")}</strong>${
        s.current ? ` <span class="badge">${t(text, "devices.thisBrowser")}</span>` : ""
      }
<span class="muted">${t(text, "devices.signedIn", { date: when(s.createdAt) })}, ${t(text, "devices.lastSeen", { date: when(s.lastActiveAt) })}</span>
${s.current ? "" : revoke(s)}</li>`,
    )
    .join("\n");
}

/** The built-in "where you're signed in" page. */
export const builtinSignedInPage: SignedInPage = (props) => {
  const { text, csrf, basePath } = props;
  const action = `${basePath}/sessions`;
  const others = props.sessions.some((s) => !s.current);
  const cognito = props.cognitoSessions;
  return layout(
    text["devices.title"] ?? "",
    `<h1>${t(text, "devices.title")}</h1>
${props.done ? `<p class="alert ok" role="status">${t(text, `devices.done.${props.done}`)}</p>` : ""}
<h2>${t(text, "devices.sessions")}</h2>
<p>${t(text, "devices.sessions.intro")}</p>
<ul class="sessions">
${sessionItems(text, props.sessions, (s) => button(action, csrf, { action: "end", handle: s.id }, t(text, "devices.end")))}
</ul>
${others ? button(action, csrf, { action: "end-others" }, t(text, "devices.endOthers")) : ""}
<h2>${t(text, "devices.devices")}</h2>
<p>${t(text, "devices.devices.intro")}</p>
${
  props.devices.length
    ? `<ul class="devices">\n${deviceItems(text, props.devices, (d) => button(action, csrf, { action: "forget", device: d.key }, t(text, "devices.forget")))}\n</ul>`
    : `<p>${t(text, "devices.devices.none")}</p>`
}
${
  cognito
    ? `<h2>${t(text, "devices.cognito")}</h2>
<p>${t(text, "devices.cognito.intro")}</p>
<ul class="cognito-sessions">
${cognitoItems(text, cognito, (s) => button(action, csrf, { action: "revoke", session: s.id }, t(text, "devices.revoke")))}
</ul>`
    : ""
}
<p><a href="${escapeHtml(basePath)}/profile">${t(text, "devices.back")}</a></p>`,
  );
};

/** The "remember this browser" box inside the MFA answer form. */
export const rememberBox = (text: Readonly<Record<string, string>>): string =>
  `\n<label class="choice"><input type="checkbox" name="remember" value="on"> ${t(text, "devices.remember")}</label>`;
