/**
 * @module
 * The AWS SDK's values that the Cognito layer uses, and the only module that imports them from the
 * package's root (`cognito/*.ts` import from here). Bundlers that read package.json's `browser` map
 * (esbuild and so wrangler, Vite, webpack) get `sdk.browser.ts` in its place: the same names from the
 * files that define them. That is what keeps the lazily loaded Cognito layer tree-shaken in a Worker
 * bundle: reached through `import()`, esbuild wraps a module for lazy evaluation, and a wrapped copy of
 * the SDK's root keeps every member of its `export *` lists that has a top-level side effect (all 120
 * commands, the aggregated client, the paginators: +22 KB gzip). Node, Deno, Bun and JSR ignore the map
 * and load this file. A command added here must be added to `sdk.browser.ts` too (a unit test compares
 * the two lists).
 */
export {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminForgetDeviceCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminListDevicesCommand,
  AdminListGroupsForUserCommand,
  AdminListUserSessionsCommand,
  AdminRevokeUserSessionCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  CompleteWebAuthnRegistrationCommand,
  ConfirmDeviceCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DeleteWebAuthnCredentialCommand,
  ForgetDeviceCommand,
  ForgotPasswordCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserAuthFactorsCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  ListUserSessionsCommand,
  ListUsersCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  RevokeUserSessionCommand,
  SignUpCommand,
  StartWebAuthnRegistrationCommand,
  UpdateDeviceStatusCommand,
  UpdateUserAttributesCommand,
  VerifySoftwareTokenCommand,
  VerifyUserAttributeCommand,
} from "@aws-sdk/client-cognito-identity-provider";
