/**
 * @module
 * `GET /profile` (the user's Cognito attributes through the mapping, with which of the email and phone
 * number are verified, and the extensions' links) and `GET/POST /profile/update`
 * (a form pre-filled from Cognito; the fields validated, reverse-mapped and sent with
 * UpdateUserAttributes; the local record and the session follow).
 */

import { type VerifiableAttribute, verifiableAttributes } from "../../cognito/verifiable.ts";
import type { ProfileItem } from "../../pages/pages.ts";
import { attributeLabel } from "../../pages/text.ts";
import type { Session } from "../../sessions/store.ts";
import { SessionInvalid } from "../../sessions/store.ts";
import type { Attribute } from "../../users/mapping.ts";
import { mapAttributes, needsVerification, reverseMap, verifiedOnly } from "../../users/mapping.ts";
import { upsertUser, validateFields } from "../../users/store.ts";
import { type Ctx, html, json, pageContext, type RouteDeps, redirect, unauthenticated } from "../context.ts";
import { extensionsOf } from "../extensions.ts";
import {
  attributeOf,
  editable,
  emailPattern,
  maxAttributeValue,
  profileAttributes,
  profileFields,
  readOnly,
} from "../forms.ts";
import { Refusal, signedIn, signedInPost } from "../guards.ts";
import type { Routes } from "../router.ts";

/**
 * The signed-in user's Cognito attributes and tokens. A session whose tokens no longer open, or whose
 * access token Cognito refuses, is ended: the Refusal asks to sign in again.
 */
export async function cognitoUser(
  ctx: Ctx,
  deps: RouteDeps,
  session: Session,
): Promise<{ tokens: Awaited<ReturnType<Session["tokens"]>>; attributes: Attribute[] }> {
  let tokens: Awaited<ReturnType<Session["tokens"]>>;
  try {
    tokens = await session.tokens();
  } catch (error) {
    if (!(error instanceof SessionInvalid)) throw error;
    throw await ended(ctx, deps, session);
  }
  const found = await (await deps.cognito()).getAttributes(tokens.accessToken);
  if (!found.ok) throw await ended(ctx, deps, session);
  return { tokens, attributes: found.attributes };
}

/**
 * Which of the user's email and phone number Cognito counts as verified (`email_verified`,
 * `phone_number_verified`); an attribute the user does not have is left out.
 */
export function verifiedMarks(values: Record<string, string>): Partial<Record<VerifiableAttribute, boolean>> {
  return Object.fromEntries(
    verifiableAttributes.filter((a) => values[a]).map((a) => [a, values[`${a}_verified`] === "true"]),
  );
}

/**
 * Writes the user's current Cognito attributes to the local record and the session (after they changed
 * at Cognito); a set of values that fails `userSchema` leaves the record as it was.
 */
export async function mirrorAttributes(
  deps: RouteDeps,
  session: Session,
  attributes: Attribute[],
): Promise<Session["user"]> {
  const checked = validateFields(
    deps.config.userSchema,
    mapAttributes(verifiedOnly(attributes), deps.config.attributeMapping),
  );
  if (!checked.ok) return session.user;
  const record = await upsertUser(deps.store, {
    username: session.user.username,
    sub: session.user.sub,
    stored: checked.stored,
    create: true,
    now: deps.config.now(),
    login: false,
  });
  const user = { ...session.user, ...checked.extra, ...(record ?? {}), groups: session.user.groups };
  await deps.sessions.updateUser(session.id, user);
  return user;
}

async function ended(ctx: Ctx, deps: RouteDeps, session: Session): Promise<Refusal> {
  await deps.sessions.discard(session.id, session.user.username);
  return new Refusal(unauthenticated(ctx, deps));
}

/** `/profile` and `/profile/update`. */
export function profileRoutes(deps: RouteDeps): Routes {
  const { config, text, pages } = deps;
  const links = extensionsOf(config).flatMap((e) =>
    (e.profileLinks ?? []).map((l) => ({
      href: `${config.basePath}${l.path}`,
      label: text[l.text] ?? l.text,
    })),
  );
  const updateForm = (ctx: Ctx, session: Session, values: Record<string, string>, errors: Set<string>) =>
    html(
      ctx,
      pages.profileUpdate({
        ctx: pageContext(ctx, deps, session),
        fields: profileFields(config, text, values, errors),
        error: text["update.invalid"],
      }),
      400,
    );
  const invalid = (ctx: Ctx, session: Session, values: Record<string, string>, errors: Set<string>) =>
    ctx.json
      ? json(ctx, { error: "invalid", message: text["update.invalid"], fields: [...errors] }, 400)
      : updateForm(ctx, session, values, errors);

  return {
    "/profile": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const found = await cognitoUser(ctx, deps, session);
        const values = Object.fromEntries(found.attributes.map((a) => [a.Name ?? "", a.Value ?? ""]));
        const shown = [...new Set([...Object.keys(config.attributeMapping), ...profileAttributes])].filter(
          (attr) => attr in config.attributeMapping || values[attr] !== undefined,
        );
        const verified = verifiedMarks(values);
        if (ctx.json) {
          return json(ctx, {
            user: { ...session.user, ...mapAttributes(found.attributes, config.attributeMapping) },
            attributes: Object.fromEntries(shown.map((a) => [a, values[a] ?? null])),
            verified,
          });
        }
        const items: ProfileItem[] = shown.map((attribute) => {
          const mark = verified[attribute as VerifiableAttribute];
          return {
            attribute,
            label: attributeLabel(text, attribute),
            value: values[attribute],
            ...(mark === undefined ? {} : { verified: mark }),
          };
        });
        const query = ctx.url.searchParams;
        const updated = query.get("updated") === "1";
        const done = query.get("verified");
        const notice =
          query.get("password") === "changed"
            ? text["password.changed"]
            : query.get("password") === "reset"
              ? text["password.resetDone"]
              : query.get("signup") === "confirmed"
                ? text["signup.signedIn"]
                : done && (verifiableAttributes as readonly string[]).includes(done)
                  ? text[`verify.done.${done}`]
                  : undefined;
        return html(
          ctx,
          pages.profile({
            ctx: pageContext(ctx, deps, session),
            items,
            updated,
            ...(notice ? { notice } : {}),
            ...(links.length ? { links } : {}),
          }),
        );
      },
    },

    "/profile/update": {
      async GET(ctx) {
        const session = await signedIn(ctx, deps);
        const found = await cognitoUser(ctx, deps, session);
        const values = mapAttributes(found.attributes, config.attributeMapping);
        if (ctx.json)
          return json(ctx, {
            fields: Object.fromEntries(editable(config).map(([, f]) => [f, values[f] ?? ""])),
          });
        return html(
          ctx,
          pages.profileUpdate({
            ctx: pageContext(ctx, deps, session),
            fields: profileFields(config, text, values),
          }),
        );
      },
      async POST(ctx) {
        const { session, body } = await signedInPost(ctx, deps);
        const { fields } = body;
        const submitted: Record<string, string> = {};
        const errors = new Set<string>();
        // A mapped attribute off the allowlist (a `custom:role`, say) is refused, never written (C8).
        for (const field of readOnly(config)) if (fields[field] !== undefined) errors.add(field);
        for (const [attr, field] of editable(config)) {
          const value = fields[field];
          if (value === undefined) continue;
          if (value.length > maxAttributeValue) errors.add(field);
          // An empty field means "leave as is": Cognito removes attributes only through DeleteUserAttributes.
          else if (value !== "") submitted[field] = attr === "email" ? value.trim() : value;
        }
        if (errors.size) return invalid(ctx, session, fields, errors);
        const found = await cognitoUser(ctx, deps, session);
        const current = mapAttributes(found.attributes, config.attributeMapping);
        const merged = { ...current, ...submitted };
        const checked = validateFields(config.userSchema, merged);
        if (!checked.ok) for (const path of checked.paths) if (path in submitted) errors.add(path);
        if (submitted.email !== undefined && !emailPattern.test(submitted.email)) errors.add("email");
        if (errors.size || !checked.ok) {
          if (!errors.size && !checked.ok) for (const p of checked.paths) errors.add(p);
          return invalid(ctx, session, merged, errors);
        }
        const changed = Object.fromEntries(Object.entries(submitted).filter(([k, v]) => current[k] !== v));
        const attributes = reverseMap(changed, config.attributeMapping);
        if (attributes.length) {
          const updated = await (await deps.cognito()).updateAttributes(found.tokens.accessToken, attributes);
          // Cognito refused the values (format, alias taken): a generic "check the fields", never its text.
          if (!updated.ok) return invalid(ctx, session, merged, new Set(Object.keys(changed)));
        }
        // A new email or phone number waits for Cognito's verification: the local record and the session
        // keep the verified one (C8); the next login after verification mirrors the new one.
        const pending = new Set(attributes.filter((a) => needsVerification(a.Name)).map((a) => a.Name));
        const mirrored = {
          ...mapAttributes(verifiedOnly(found.attributes), config.attributeMapping),
          ...Object.fromEntries(
            Object.entries(submitted).filter(([field]) => !pending.has(attributeOf(config, field))),
          ),
        };
        const kept = validateFields(config.userSchema, mirrored);
        const record = await upsertUser(deps.store, {
          username: session.user.username,
          sub: session.user.sub,
          stored: kept.ok ? kept.stored : {},
          create: true,
          now: config.now(),
          login: false,
        });
        const extra = kept.ok ? kept.extra : {};
        const user = { ...session.user, ...extra, ...(record ?? {}), groups: session.user.groups };
        await deps.sessions.updateUser(session.id, user);
        return ctx.json ? json(ctx, { user }) : redirect(ctx, `${config.basePath}/profile?updated=1`);
      },
    },
  };
}
