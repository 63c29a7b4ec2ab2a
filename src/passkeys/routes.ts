/**
 * @module
 * Passkey management for a signed-in person, under `basePath`:
 * - `GET /passkeys`: the list (JSON `{ passkeys, factors }`), each with rename and delete;
 * - `GET /passkeys/add`: StartWebAuthnRegistration, the form the script completes (JSON `{ options }`);
 * - `POST /passkeys/add`: `credential` (the RegistrationResponseJSON as text) and an optional `name`,
 *   CompleteWebAuthnRegistration;
 * - `POST /passkeys/:id`: `action=rename` with `name`, or `action=delete` (DeleteWebAuthnCredential).
 * Cognito has no name of the person's choosing for a passkey, so names live in storage under
 * `passkey-names:<sha-256 of the username>:<sha-256 of the credential id>`, one key each (no
 * read-modify-write to lose a name to a parallel one).
 */

import {
  completePasskeyRegistration,
  deletePasskey,
  getAuthFactors,
  listPasskeys,
  type Passkey,
  startPasskeyRegistration,
} from "../cognito/passkeys.ts";
import {
  apiError,
  type Ctx,
  fail,
  html,
  json,
  pageContext,
  type RouteDeps,
  redirect,
  unauthenticated,
} from "../http/context.ts";
import { Refusal, signedIn, signedInPost } from "../http/guards.ts";
import type { Routes } from "../http/router.ts";
import type { Session } from "../sessions/store.ts";
import { SessionInvalid } from "../sessions/store.ts";
import { sha256Hex } from "../sha256.ts";
import { type PasskeyPageContext, type PasskeyPages, type PasskeyRow, passkeyText } from "./pages.ts";
import { passkeyScriptHash } from "./script.ts";

const hash = sha256Hex;
/** Credential ids are base64url; Cognito's are at most 1,023 bytes. */
const idPattern = /^[A-Za-z0-9_-]{1,1400}$/;
/** Printable text without control characters, at most 64 of them. */
const namePattern = /^[^\p{Cc}]{1,64}$/u;
const maxCredential = 12 * 1024;
const dones = ["added", "renamed", "deleted"] as const;

/** The RegistrationResponseJSON the browser posted, parsed; null when it is not one. */
function registration(text: string | undefined): Record<string, unknown> | null {
  if (!text || text.length > maxCredential) return null;
  try {
    const c = JSON.parse(text) as Record<string, unknown> | null;
    const response = c?.response as Record<string, unknown> | undefined;
    const ok =
      typeof c === "object" &&
      c !== null &&
      c.type === "public-key" &&
      typeof c.id === "string" &&
      idPattern.test(c.id) &&
      typeof c.rawId === "string" &&
      typeof response === "object" &&
      response !== null &&
      typeof response.clientDataJSON === "string" &&
      typeof response.attestationObject === "string";
    return ok ? c : null;
  } catch {
    return null;
  }
}

/** The passkey route group. */
export function passkeyRoutes(deps: RouteDeps, pages: PasskeyPages): Routes {
  const { config } = deps;
  const base = config.basePath;
  // The extension's words first, so the warrant's `options.text` can replace them.
  const text = { ...passkeyText, ...deps.text };
  const nameKey = (username: string, id: string) => `passkey-names:${hash(username)}:${hash(id)}`;
  const pageCtx = (ctx: Ctx, session: Session): PasskeyPageContext => ({
    text,
    basePath: base,
    csrf: pageContext(ctx, deps, session).csrf,
  });

  /** The access token, or a Refusal that ends a session whose tokens no longer open or that Cognito refused. */
  const accessToken = async (ctx: Ctx, session: Session): Promise<string> => {
    try {
      return (await session.tokens()).accessToken;
    } catch (error) {
      if (!(error instanceof SessionInvalid)) throw error;
      throw await ended(ctx, session);
    }
  };
  const ended = async (ctx: Ctx, session: Session): Promise<Refusal> => {
    await deps.sessions.discard(session.id, session.user.username);
    return new Refusal(unauthenticated(ctx, deps));
  };
  /** A result's value, or the Refusal of a token Cognito no longer accepts. */
  const accepted = async <T extends { ok: boolean }>(
    ctx: Ctx,
    session: Session,
    result: T,
  ): Promise<Exclude<T, { reason: "token_refused" }>> => {
    if (!result.ok && (result as { reason?: string }).reason === "token_refused")
      throw await ended(ctx, session);
    return result as Exclude<T, { reason: "token_refused" }>;
  };

  const rows = async (username: string, passkeys: Passkey[]): Promise<(PasskeyRow & Passkey)[]> => {
    const names = await Promise.all(passkeys.map((p) => deps.store.get<string>(nameKey(username, p.id))));
    return passkeys.map((p, i) => {
      const mine = names[i];
      return { ...p, name: typeof mine === "string" && mine ? mine : p.friendlyName || p.id.slice(0, 12) };
    });
  };

  const addPage = async (
    ctx: Ctx,
    session: Session,
    status = 200,
    notes: { name?: string; error?: string } = {},
  ) => {
    const cognito = (await deps.cognito()).client;
    const started = await accepted(
      ctx,
      session,
      await startPasskeyRegistration(cognito, await accessToken(ctx, session)),
    );
    if (ctx.json) return json(ctx, { options: started.options });
    return html(
      ctx,
      pages.add({
        ctx: pageCtx(ctx, session),
        options: JSON.stringify(started.options),
        name: notes.name ?? "",
        ...(notes.error ? { error: notes.error } : {}),
      }),
      status,
      { scripts: [passkeyScriptHash] },
    );
  };

  return {
    "/passkeys": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const token = await accessToken(ctx, session);
        const cognito = (await deps.cognito()).client;
        const listed = await accepted(ctx, session, await listPasskeys(cognito, token));
        const passkeys = await rows(session.user.username, listed.passkeys);
        if (ctx.json) {
          const factors = await accepted(ctx, session, await getAuthFactors(cognito, token));
          return json(ctx, {
            passkeys: passkeys.map((p) => ({
              id: p.id,
              name: p.name,
              friendlyName: p.friendlyName,
              relyingPartyId: p.relyingPartyId,
              createdAt: p.createdAt,
              transports: p.transports,
              ...(p.attachment ? { attachment: p.attachment } : {}),
            })),
            factors: factors.factors,
          });
        }
        const done = ctx.url.searchParams.get("done");
        return html(
          ctx,
          pages.list({
            ctx: pageCtx(ctx, session),
            passkeys,
            ...(done && (dones as readonly string[]).includes(done)
              ? { done: done as (typeof dones)[number] }
              : {}),
          }),
        );
      },
    },

    "/passkeys/add": {
      async GET(ctx) {
        return addPage(ctx, await signedIn(ctx, deps));
      },
      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps, { limit: 32 * 1024 });
        const name = (body.fields.name ?? "").trim();
        const invalid = (field: string, message: string) =>
          ctx.json
            ? apiError(ctx, "invalid", message, { fields: [field] })
            : addPage(ctx, session, 400, { name: name.slice(0, 64), error: message });
        if (name && !namePattern.test(name)) return invalid("name", text["passkeys.nameInvalid"] ?? "");
        const credential = registration(body.fields.credential);
        if (!credential) return invalid("credential", text["passkeys.rejected"] ?? "");
        const cognito = (await deps.cognito()).client;
        const done = await accepted(
          ctx,
          session,
          await completePasskeyRegistration(cognito, await accessToken(ctx, session), credential),
        );
        if (!done.ok) return invalid("credential", text["passkeys.rejected"] ?? "");
        const id = credential.id as string;
        if (name) await deps.store.set(nameKey(session.user.username, id), name);
        if (ctx.json) return json(ctx, { ok: true, passkey: { id, ...(name ? { name } : {}) } });
        return redirect(ctx, `${base}/passkeys?done=added`);
      },
    },

    "/passkeys/:id": {
      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps);
        const id = ctx.params.id!;
        if (!idPattern.test(id)) return fail(ctx, deps, 404, deps.text["error.notFound"]);
        const { action } = body.fields;
        const key = nameKey(session.user.username, id);
        const cognito = (await deps.cognito()).client;
        const token = await accessToken(ctx, session);
        if (action === "delete") {
          const gone = await accepted(ctx, session, await deletePasskey(cognito, token, id));
          if (!gone.ok) return fail(ctx, deps, 404, deps.text["error.notFound"]);
          await deps.store.remove(key);
        } else if (action === "rename") {
          const name = (body.fields.name ?? "").trim();
          if (!namePattern.test(name)) {
            return ctx.json
              ? apiError(ctx, "invalid", text["passkeys.nameInvalid"] ?? "", { fields: ["name"] })
              : fail(ctx, deps, 400, text["passkeys.nameInvalid"] ?? "");
          }
          // Only a passkey of this person's gets a name: the list comes from Cognito, under their token.
          const listed = await accepted(ctx, session, await listPasskeys(cognito, token));
          if (!listed.passkeys.some((p) => p.id === id))
            return fail(ctx, deps, 404, deps.text["error.notFound"]);
          await deps.store.set(key, name);
        } else {
          return fail(ctx, deps, 400, deps.text["error.badRequest"]);
        }
        if (ctx.json) return json(ctx, { ok: true });
        return redirect(ctx, `${base}/passkeys?done=${action === "delete" ? "deleted" : "renamed"}`);
      },
    },
  };
}
