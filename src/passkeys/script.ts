/**
 * @module
 * The one script of the passkey pages, inline and allowed by its CSP hash (no other script runs, and
 * no inline handler). It shows the passkey buttons only where WebAuthn exists, and on a form that
 * carries `data-passkey` (the options as JSON) and `data-passkey-mode` (`get` to sign in, `create` to
 * add one) it runs `navigator.credentials.get` / `create` on submit, writes the result as JSON into the
 * form's `credential` field and posts the form. Without JavaScript nothing here runs and the page
 * offers what works without it.
 */

import { encodeBase64 } from "@oslojs/encoding";
import { sha256 } from "../sha256.ts";

/** The script's source, as it goes into the page. */
export const passkeyScript: string = `(() => {
"use strict";
if (!window.PublicKeyCredential || !navigator.credentials) return;
const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
for (const element of document.querySelectorAll("[data-passkey-hidden]")) element.hidden = false;
for (const form of document.querySelectorAll("form[data-passkey]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = form.querySelector("[data-passkey-error]");
    if (error) error.hidden = true;
    try {
      const o = JSON.parse(form.dataset.passkey);
      const create = form.dataset.passkeyMode === "create";
      const c = create
        ? await navigator.credentials.create({ publicKey: { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) } })
        : await navigator.credentials.get({ publicKey: { ...o, challenge: bytes(o.challenge), allowCredentials: ids(o.allowCredentials) } });
      const r = c.response;
      const response = { clientDataJSON: text(r.clientDataJSON) };
      if (create) {
        response.attestationObject = text(r.attestationObject);
        if (r.getTransports) response.transports = r.getTransports();
      } else {
        response.authenticatorData = text(r.authenticatorData);
        response.signature = text(r.signature);
        if (r.userHandle) response.userHandle = text(r.userHandle);
      }
      form.elements.credential.value = JSON.stringify({
        id: c.id,
        rawId: text(c.rawId),
        type: c.type,
        response,
        clientExtensionResults: c.getClientExtensionResults(),
        ...(c.authenticatorAttachment ? { authenticatorAttachment: c.authenticatorAttachment } : {}),
      });
      form.submit();
    } catch {
      if (error) error.hidden = false;
    }
  });
}
})();`;

/** The CSP source that allows exactly {@link passkeyScript}. */
export const passkeyScriptHash: string = `'sha256-${encodeBase64(sha256(new TextEncoder().encode(passkeyScript)))}'`;

/** The script element. */
export const passkeyScriptTag: string = `<script>${passkeyScript}</script>`;
