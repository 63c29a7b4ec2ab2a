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
export type { TokenUse, VerifyResult } from "./cognito/verify.ts";
export type { Counters, Hit, MemoryCountersOptions, RedisLike } from "./counters.ts";
export { memoryCounters, redisCounters } from "./counters.ts";
export type { WarrantErrorCode } from "./errors.ts";
export { errorCodes, WarrantError } from "./errors.ts";
export type {
  EventBase,
  EventListeners,
  EventName,
  EventUser,
  SessionEndReason,
  WarrantEventMap,
} from "./events.ts";
export { eventDeadline, eventNames } from "./events.ts";
export type { BearerContext, BearerOptions } from "./http/bearer.ts";
export { setClientAddress } from "./http/client-address.ts";
export type { ApiErrorCode } from "./http/context.ts";
export { apiErrorCodes } from "./http/context.ts";
export type {
  AdminUserSection,
  AdminUserTarget,
  ChallengeStep,
  ChallengeStepContext,
  LoginPageAdditions,
  LoginPageInput,
  ProfileLink,
  WarrantExtension,
} from "./http/extensions.ts";
export { safeNext } from "./http/next.ts";
export type { ProtectContext, ProtectedHandler } from "./http/protect.ts";
export { challengeAttempts, challengeTtl, limits } from "./limits.ts";
export type { LogFields, Logger, LoggerOptions, LogLevel } from "./logger.ts";
export { logLevels } from "./logger.ts";
export type { ChallengeAnswer, ChallengeName, TotpSetup } from "./login/answers.ts";
export { challengeNames, totpUri } from "./login/answers.ts";
export type {
  AuthenticateOptions,
  AuthResult,
  PublicChallenge,
  RespondResult,
} from "./login/authenticate.ts";
export type { MemoryStorageOptions } from "./memory.ts";
export { defaultMaxKeys, memoryStorage } from "./memory.ts";
export type {
  AuthFlow,
  Credentials,
  FirstFactor,
  ObjectSchema,
  RateLimitOptions,
  SessionConfig,
  WarrantConfig,
  WarrantOptions,
} from "./options.ts";
export { defaultAttributeMapping, firstFactors } from "./options.ts";
export type {
  AdminSection,
  FormField,
  LoginButton,
  PageContext,
  PageLink,
  PageProps,
  Pages,
  ProfileItem,
} from "./pages/pages.ts";
export type { Text, TextKey, TextOverrides } from "./pages/text.ts";
export { defaultText } from "./pages/text.ts";
export type { TokenService } from "./sessions/refresh.ts";
export type { NewSession } from "./sessions/session.ts";
export type { Session, SessionInfo, SessionUser } from "./sessions/store.ts";
export { mapAttributes, reverseMap } from "./users/mapping.ts";
export type { LocalUser } from "./users/store.ts";
export type {
  DefaultAttributeMapping,
  MappedFields,
  StoredUser,
  UserFields,
  UserOf,
  WarrantUser,
} from "./users/types.ts";
export type { Warrant } from "./warrant.ts";
export { createWarrant } from "./warrant.ts";
