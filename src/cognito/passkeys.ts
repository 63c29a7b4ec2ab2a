/**
 * @module
 * The passkey calls of a signed-in person, each with their access token (it carries the
 * `aws.cognito.signin.user.admin` scope server-side login gets): StartWebAuthnRegistration and
 * CompleteWebAuthnRegistration (add one), ListWebAuthnCredentials, DeleteWebAuthnCredential, and
 * GetUserAuthFactors (what the person can sign in with). Only the passkeys extension imports this
 * module, so an app without it carries none of these commands. Cognito verifies the attestation; the
 * library relays JSON.
 */
import {
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand,
  type GetUserAuthFactorsResponse,
  ListWebAuthnCredentialsCommand,
  type ListWebAuthnCredentialsResponse,
  StartWebAuthnRegistrationCommand,
  type StartWebAuthnRegistrationResponse,
} from "@aws-sdk/client-cognito-identity-provider";
import { WarrantError } from "../errors.ts";
import type { TokenRefused } from "./account.ts";
import type { Cognito } from "./client.ts";
import { classify, cognitoName, toWarrantError } from "./errors.ts";

/** A registered passkey, as Cognito lists it. */
export interface Passkey {
  /** Cognito's credential id (the WebAuthn credential id, base64url). */
  id: string;
  /** The name Cognito made for it (from the authenticator). */
  friendlyName: string;
  relyingPartyId: string;
  /** `platform` or `cross-platform`, when the authenticator said. */
  attachment?: string;
  transports: string[];
  /** When it was added, ms since the epoch. */
  createdAt: number;
}

/** Sends one call; a refused access token is `token_refused`, `refusal` sorts the rest. */
async function call<T>(
  cognito: Cognito,
  command: { readonly input: unknown },
  during: string,
  options: {
    retry?: boolean;
    refusal?: (name: string | undefined) => { ok: false; reason: string } | undefined;
  },
): Promise<T | TokenRefused | { ok: false; reason: string }> {
  try {
    return await cognito.send<T>(command, { during, raw: true, ...(options.retry ? { retry: true } : {}) });
  } catch (error) {
    const kind = classify(error);
    if (kind === "credentials") return { ok: false, reason: "token_refused" };
    if (kind === "rejected") {
      const refused = options.refusal?.(cognitoName(error));
      if (refused) return refused;
    }
    throw toWarrantError(error, during);
  }
}

const failed = (out: unknown): out is { ok: false; reason: string } =>
  typeof out === "object" && out !== null && (out as { ok?: unknown }).ok === false;

/** StartWebAuthnRegistration: the PublicKeyCredentialCreationOptions (JSON) for `navigator.credentials.create`. */
export async function startPasskeyRegistration(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; options: Record<string, unknown> } | TokenRefused> {
  const out = await call<StartWebAuthnRegistrationResponse>(
    cognito,
    new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }),
    "starting a passkey registration",
    { retry: true },
  );
  if (failed(out)) return out as TokenRefused;
  const options = out.CredentialCreationOptions;
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw new WarrantError("cognito_rejected", "Cognito answered without credential creation options");
  return { ok: true, options: options as Record<string, unknown> };
}

/**
 * CompleteWebAuthnRegistration with the browser's RegistrationResponseJSON. `rejected`: Cognito did not
 * accept it (another origin or relying party, an unknown challenge, an unsupported authenticator).
 */
export async function completePasskeyRegistration(
  cognito: Cognito,
  accessToken: string,
  credential: Record<string, unknown>,
): Promise<{ ok: true } | TokenRefused | { ok: false; reason: "rejected" }> {
  const out = await call<unknown>(
    cognito,
    new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential as never }),
    "adding a passkey",
    {
      refusal: (name) =>
        name?.startsWith("WebAuthn") || name === "InvalidParameterException"
          ? { ok: false, reason: "rejected" }
          : undefined,
    },
  );
  return failed(out) ? (out as TokenRefused | { ok: false; reason: "rejected" }) : { ok: true };
}

/** ListWebAuthnCredentials, every page. */
export async function listPasskeys(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; passkeys: Passkey[] } | TokenRefused> {
  const passkeys: Passkey[] = [];
  let next: string | undefined;
  // Cognito keeps a few passkeys per user; the bound only stops a token that never ends.
  for (let page = 0; page < 20; page++) {
    const out = await call<ListWebAuthnCredentialsResponse>(
      cognito,
      new ListWebAuthnCredentialsCommand({
        AccessToken: accessToken,
        MaxResults: 20,
        ...(next ? { NextToken: next } : {}),
      }),
      "listing passkeys",
      { retry: true },
    );
    if (failed(out)) return out as TokenRefused;
    for (const c of out.Credentials ?? []) {
      if (!c.CredentialId) continue;
      passkeys.push({
        id: c.CredentialId,
        friendlyName: c.FriendlyCredentialName ?? "",
        relyingPartyId: c.RelyingPartyId ?? "",
        ...(c.AuthenticatorAttachment ? { attachment: c.AuthenticatorAttachment } : {}),
        transports: c.AuthenticatorTransports ?? [],
        createdAt: c.CreatedAt instanceof Date ? c.CreatedAt.getTime() : Number(c.CreatedAt ?? 0) * 1000,
      });
    }
    next = out.NextToken;
    if (!next) break;
  }
  return { ok: true, passkeys };
}

/** DeleteWebAuthnCredential; `not_found` when the person has no passkey of that id. */
export async function deletePasskey(
  cognito: Cognito,
  accessToken: string,
  credentialId: string,
): Promise<{ ok: true } | TokenRefused | { ok: false; reason: "not_found" }> {
  const out = await call<unknown>(
    cognito,
    new DeleteWebAuthnCredentialCommand({ AccessToken: accessToken, CredentialId: credentialId }),
    "deleting a passkey",
    {
      refusal: (name) =>
        name === "ResourceNotFoundException" || name === "InvalidParameterException"
          ? { ok: false, reason: "not_found" }
          : undefined,
    },
  );
  return failed(out) ? (out as TokenRefused | { ok: false; reason: "not_found" }) : { ok: true };
}

/** GetUserAuthFactors: the first factors (`PASSWORD`, `WEB_AUTHN`, `EMAIL_OTP`, …) and MFA the person has. */
export async function getAuthFactors(
  cognito: Cognito,
  accessToken: string,
): Promise<{ ok: true; factors: string[]; mfa: string[] } | TokenRefused> {
  const out = await call<GetUserAuthFactorsResponse>(
    cognito,
    new GetUserAuthFactorsCommand({ AccessToken: accessToken }),
    "reading the sign-in factors",
    { retry: true },
  );
  if (failed(out)) return out as TokenRefused;
  return { ok: true, factors: out.ConfiguredUserAuthFactors ?? [], mfa: out.UserMFASettingList ?? [] };
}
