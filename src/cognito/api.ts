/**
 * @module
 * Every Cognito call the library makes, bound to one SDK client and the config: the only module above
 * `cognito/` that reaches the AWS SDK, and it is loaded on first use (`cognito/load.ts`), so a request
 * that only reads a session, checks a bearer token or renders a page never evaluates the SDK.
 */
import type { WarrantConfig } from "../options.ts";
import type { Attribute } from "../users/mapping.ts";
import {
  changePassword,
  confirmForgotPassword,
  confirmSignUp,
  forgotPassword,
  getAttributes,
  globalSignOut,
  sendAttributeCode,
  signUp,
  type TokenRefused,
  updateAttributes,
  type VerifiableAttribute,
  verifyAttribute,
} from "./account.ts";
import {
  adminGlobalSignOut,
  disableUser,
  enableUser,
  getPoolUser,
  groupsOfUser,
  listUsers,
  type PoolUser,
} from "./admin.ts";
import {
  getUser,
  type LoginStep,
  passwordLogin,
  type RefreshResult,
  refreshTokens,
  revokeToken,
} from "./auth.ts";
import {
  type AnswerOutcome,
  type AnswerTarget,
  answerChallenge,
  associateSoftwareToken,
  type ValidAnswer,
} from "./challenges.ts";
import { type Cognito, createCognito } from "./client.ts";
import { srpLogin } from "./srp-login.ts";
import { type UserAuthStart, userAuthLogin } from "./user-auth.ts";

/** The Cognito calls, each as a result union of refusals; outages throw `WarrantError`. */
export interface CognitoApi {
  /** The SDK client and retry policy underneath (for calls of optional modules). */
  readonly client: Cognito;
  /** USER_PASSWORD_AUTH or ADMIN_USER_PASSWORD_AUTH, as configured. */
  passwordLogin(username: string, password: string, deviceKey?: string): Promise<LoginStep>;
  /** USER_SRP_AUTH. */
  srpLogin(username: string, password: string, options?: { deviceKey?: string }): Promise<LoginStep>;
  /** USER_AUTH (choice-based): a preferred factor, the factors Cognito offers, or a sign-up's Session. */
  userAuthLogin(input: UserAuthStart): Promise<LoginStep>;
  /** GetUser after a login: the Cognito username and attributes. */
  getUser(accessToken: string): Promise<{ username: string; attributes: Attribute[] }>;
  /** REFRESH_TOKEN_AUTH (or GetTokensFromRefreshToken), with the device key the tokens were issued to. */
  refresh(username: string, refreshToken: string, deviceKey?: string): Promise<RefreshResult>;
  revoke(refreshToken: string): Promise<void>;
  answerChallenge(challenge: AnswerTarget, answer: ValidAnswer): Promise<AnswerOutcome>;
  associateSoftwareToken(session: string): Promise<{ secret: string; session: string }>;
  getAttributes(
    accessToken: string,
  ): Promise<{ ok: true; username: string; attributes: Attribute[] } | TokenRefused>;
  updateAttributes(
    accessToken: string,
    attributes: { Name: string; Value: string }[],
  ): Promise<{ ok: true } | { ok: false; reason: "rejected" }>;
  /** GetUserAttributeVerificationCode: a code to the user's email or phone. */
  sendAttributeCode(
    accessToken: string,
    attribute: VerifiableAttribute,
  ): Promise<{ ok: true; destination?: string } | TokenRefused | { ok: false; reason: "refused" }>;
  /** VerifyUserAttribute with the code the user received. */
  verifyAttribute(
    accessToken: string,
    attribute: VerifiableAttribute,
    code: string,
  ): Promise<{ ok: true } | TokenRefused | { ok: false; reason: "bad_code" | "refused" }>;
  changePassword(
    accessToken: string,
    previous: string,
    proposed: string,
  ): Promise<{ ok: true } | { ok: false; reason: "wrong_password" | "weak_password" }>;
  forgotPassword(username: string): Promise<{ ok: true } | { ok: false; reason: "refused" }>;
  confirmForgotPassword(input: {
    username: string;
    code: string;
    password: string;
  }): Promise<{ ok: true } | { ok: false; reason: "bad_code" | "weak_password" }>;
  /** SignUp under the username the pool wants (the email, or a generated one in alias pools). */
  signUp(input: {
    email: string;
    password: string;
    attributes: { Name: string; Value: string }[];
  }): Promise<
    | { ok: true; username: string; session?: string }
    | { ok: false; reason: "exists" | "weak_password" | "refused" }
  >;
  confirmSignUp(input: {
    username: string;
    code: string;
    session?: string | undefined;
  }): Promise<{ ok: true; session?: string } | { ok: false; reason: "bad_code" }>;
  listUsers(pageToken?: string): Promise<{ users: PoolUser[]; next?: string }>;
  getPoolUser(username: string): Promise<(PoolUser & { groups: string[] }) | null>;
  disableUser(username: string): Promise<boolean>;
  enableUser(username: string): Promise<boolean>;
  /** GlobalSignOut with the user's access token: all of the user's refresh tokens stop working. */
  globalSignOut(accessToken: string): Promise<{ ok: true } | TokenRefused>;
  /** AdminUserGlobalSignOut (credentials); `false` when the user is unknown or the call is refused. */
  adminGlobalSignOut(username: string): Promise<boolean>;
  /** AdminListGroupsForUser: the user's groups now; `null` when Cognito refuses to say. */
  groupsOf(username: string): Promise<string[] | null>;
}

/** Builds the SDK client and binds every call to it. Never touches the network. */
export function createCognitoApi(config: WarrantConfig): CognitoApi {
  const client = createCognito(config);
  const naming = { generated: false };
  return {
    client,
    passwordLogin: (username, password, deviceKey) =>
      passwordLogin(client, config, username, password, deviceKey),
    srpLogin: (username, password, options = {}) => srpLogin(client, config, username, password, options),
    userAuthLogin: (input) => userAuthLogin(client, config, input),
    getUser: (accessToken) => getUser(client, accessToken),
    refresh: (username, refreshToken, deviceKey) =>
      refreshTokens(client, config, username, refreshToken, deviceKey),
    revoke: (refreshToken) => revokeToken(client, config, refreshToken),
    answerChallenge: (challenge, answer) => answerChallenge(client, config, challenge, answer),
    associateSoftwareToken: (session) => associateSoftwareToken(client, session),
    getAttributes: (accessToken) => getAttributes(client, accessToken),
    updateAttributes: (accessToken, attributes) => updateAttributes(client, accessToken, attributes),
    sendAttributeCode: (accessToken, attribute) => sendAttributeCode(client, accessToken, attribute),
    verifyAttribute: (accessToken, attribute, code) => verifyAttribute(client, accessToken, attribute, code),
    changePassword: (accessToken, previous, proposed) =>
      changePassword(client, accessToken, previous, proposed),
    forgotPassword: (username) => forgotPassword(client, config, username),
    confirmForgotPassword: (input) => confirmForgotPassword(client, config, input),
    signUp: (input) => signUp(client, config, naming, input),
    confirmSignUp: (input) => confirmSignUp(client, config, input),
    listUsers: (pageToken) => listUsers(client, config, pageToken),
    getPoolUser: (username) => getPoolUser(client, config, username),
    disableUser: (username) => disableUser(client, config, username),
    enableUser: (username) => enableUser(client, config, username),
    globalSignOut: (accessToken) => globalSignOut(client, accessToken),
    adminGlobalSignOut: (username) => adminGlobalSignOut(client, config, username),
    groupsOf: (username) => groupsOfUser(client, config, username),
  };
}
