/**
 * @module
 * `@warrant/cognito`: server-side AWS Cognito login, sessions and local users as one Web-standard
 * `(Request) => Response` handler for Bun, Deno, Cloudflare Workers and Node.
 *
 * @example
 * ```ts
 * import { createWarrant } from "@warrant/cognito";
 * const warrant = createWarrant({ userPoolId: "eu-west-1_AbC123", clientId: "...", secret: "..." });
 * ```
 */

export type { ApiKeyOptions } from "./api-key.ts";
export { apiKeyHeader, getApiKey, keysEqual, withApiKey } from "./api-key.ts";
export type { Challenge, LoginFailure, Tokens } from "./cognito/auth.ts";
export type { ChallengeAnswer, ChallengeName, TotpSetup } from "./cognito/challenges.ts";
export { challengeNames, totpUri } from "./cognito/challenges.ts";
export type { TokenUse, VerifyResult } from "./cognito/verify.ts";
export type { WarrantErrorCode } from "./errors.ts";
export { errorCodes, WarrantError } from "./errors.ts";
export type { BearerContext, BearerOptions } from "./http/bearer.ts";
export type { ProtectContext } from "./http/handler.ts";
export { safeNext } from "./http/next.ts";
export type { AuthFlow, Credentials, ObjectSchema, WarrantConfig, WarrantOptions } from "./options.ts";
export { defaultAttributeMapping } from "./options.ts";
export type { FormField, PageContext, PageProps, Pages, ProfileItem } from "./pages/pages.ts";
export type { Text, TextKey } from "./pages/text.ts";
export { defaultText } from "./pages/text.ts";
export type { Session, SessionUser } from "./sessions/store.ts";
export { mapAttributes, reverseMap } from "./users/mapping.ts";
export type { LocalUser } from "./users/store.ts";
export type {
  AuthenticateOptions,
  AuthResult,
  NewSession,
  PublicChallenge,
  RespondResult,
  Warrant,
} from "./warrant.ts";
export { challengeAttempts, challengeTtl, createWarrant, limits } from "./warrant.ts";
