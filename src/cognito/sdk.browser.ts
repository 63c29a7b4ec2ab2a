/**
 * @module
 * What `sdk.ts` exports, each name from the SDK file that defines it, for bundlers (package.json's
 * `browser` map sends them here instead of `sdk.ts`). Only bundlers resolve these paths: Node, Deno and
 * Bun never load this file (the SDK's `dist-es` files are ES modules in a package without
 * `"type": "module"`, which Node 20 would read as CommonJS). See `sdk.ts` for why.
 */
export { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider/dist-es/CognitoIdentityProviderClient.js";
export { AdminDisableUserCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminDisableUserCommand.js";
export { AdminEnableUserCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminEnableUserCommand.js";
export { AdminForgetDeviceCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminForgetDeviceCommand.js";
export { AdminGetUserCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminGetUserCommand.js";
export { AdminInitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminInitiateAuthCommand.js";
export { AdminListDevicesCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminListDevicesCommand.js";
export { AdminListGroupsForUserCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminListGroupsForUserCommand.js";
export { AdminListUserSessionsCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminListUserSessionsCommand.js";
export { AdminRevokeUserSessionCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminRevokeUserSessionCommand.js";
export { AdminUserGlobalSignOutCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AdminUserGlobalSignOutCommand.js";
export { AssociateSoftwareTokenCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/AssociateSoftwareTokenCommand.js";
export { ChangePasswordCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ChangePasswordCommand.js";
export { CompleteWebAuthnRegistrationCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/CompleteWebAuthnRegistrationCommand.js";
export { ConfirmDeviceCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ConfirmDeviceCommand.js";
export { ConfirmForgotPasswordCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ConfirmForgotPasswordCommand.js";
export { ConfirmSignUpCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ConfirmSignUpCommand.js";
export { DeleteWebAuthnCredentialCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/DeleteWebAuthnCredentialCommand.js";
export { ForgetDeviceCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ForgetDeviceCommand.js";
export { ForgotPasswordCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ForgotPasswordCommand.js";
export { GetTokensFromRefreshTokenCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/GetTokensFromRefreshTokenCommand.js";
export { GetUserAttributeVerificationCodeCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/GetUserAttributeVerificationCodeCommand.js";
export { GetUserAuthFactorsCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/GetUserAuthFactorsCommand.js";
export { GetUserCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/GetUserCommand.js";
export { GlobalSignOutCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/GlobalSignOutCommand.js";
export { InitiateAuthCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/InitiateAuthCommand.js";
export { ListDevicesCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ListDevicesCommand.js";
export { ListUserSessionsCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ListUserSessionsCommand.js";
export { ListUsersCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ListUsersCommand.js";
export { ListWebAuthnCredentialsCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/ListWebAuthnCredentialsCommand.js";
export { RespondToAuthChallengeCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/RespondToAuthChallengeCommand.js";
export { RevokeTokenCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/RevokeTokenCommand.js";
export { RevokeUserSessionCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/RevokeUserSessionCommand.js";
export { SignUpCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/SignUpCommand.js";
export { StartWebAuthnRegistrationCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/StartWebAuthnRegistrationCommand.js";
export { UpdateDeviceStatusCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/UpdateDeviceStatusCommand.js";
export { UpdateUserAttributesCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/UpdateUserAttributesCommand.js";
export { VerifySoftwareTokenCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/VerifySoftwareTokenCommand.js";
export { VerifyUserAttributeCommand } from "@aws-sdk/client-cognito-identity-provider/dist-es/commands/VerifyUserAttributeCommand.js";
