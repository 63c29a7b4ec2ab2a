/**
 * @module
 * The staff calls behind the admin pages: list the pool's users, read one with its groups, disable and
 * enable, global sign-out. They use the configured AWS credentials. A user Cognito does not know (or credentials it
 * refuses) is a result (`null` / `false`); an outage throws `WarrantError`.
 */

import type { WarrantConfig } from "../options.ts";
import type { Attribute } from "../users/mapping.ts";
import type { Cognito } from "./client.ts";
import { classify, toWarrantError } from "./errors.ts";
import {
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUserGlobalSignOutCommand,
  ListUsersCommand,
} from "./sdk.ts";

/** A user of the pool as the staff calls return it. */
export interface PoolUser {
  /** The Cognito username (never changes). */
  username: string;
  attributes: Attribute[];
  /** CONFIRMED, UNCONFIRMED, FORCE_CHANGE_PASSWORD, … */
  status: string;
  enabled: boolean;
}

/** How many users a page of the admin list holds. */
export const adminPageSize = 20;

interface RawUser {
  Username?: string;
  Attributes?: Attribute[];
  UserAttributes?: Attribute[];
  UserStatus?: string;
  Enabled?: boolean;
}

const poolUser = (user: RawUser): PoolUser => ({
  username: user.Username ?? "",
  attributes: user.Attributes ?? user.UserAttributes ?? [],
  status: user.UserStatus ?? "",
  enabled: user.Enabled !== false,
});

/** Sends a staff call; `null` when Cognito refuses it for who is named (unknown user, credentials). */
async function adminCall<T>(
  cognito: Cognito,
  command: { readonly input: unknown },
  during: string,
  retry: boolean,
) {
  try {
    return await cognito.send<T>(command, { during, retry, raw: true });
  } catch (error) {
    if (classify(error) === "credentials") return null;
    throw toWarrantError(error, during);
  }
}

/** One page of the pool's users (ListUsers), with the token of the next page when there is one. */
export async function listUsers(
  cognito: Cognito,
  config: WarrantConfig,
  pageToken?: string,
): Promise<{ users: PoolUser[]; next?: string }> {
  const out = await adminCall<{ Users?: RawUser[]; PaginationToken?: string }>(
    cognito,
    new ListUsersCommand({
      UserPoolId: config.userPoolId,
      Limit: adminPageSize,
      ...(pageToken ? { PaginationToken: pageToken } : {}),
    }),
    "listing users",
    true,
  );
  const users = (out?.Users ?? []).map(poolUser);
  return out?.PaginationToken ? { users, next: out.PaginationToken } : { users };
}

/** One user (AdminGetUser) with the names of its groups (AdminListGroupsForUser); `null` when unknown. */
export async function getPoolUser(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<(PoolUser & { groups: string[] }) | null> {
  const input = { UserPoolId: config.userPoolId, Username: username };
  const user = await adminCall<RawUser>(cognito, new AdminGetUserCommand(input), "reading a user", true);
  if (!user) return null;
  const groups = await adminCall<{ Groups?: { GroupName?: string }[] }>(
    cognito,
    new AdminListGroupsForUserCommand(input),
    "reading a user's groups",
    true,
  );
  return {
    ...poolUser({ ...user, Username: user.Username ?? username }),
    groups: (groups?.Groups ?? []).map((g) => g.GroupName ?? "").filter(Boolean),
  };
}

/** AdminDisableUser; `false` when Cognito does not know the user. Not retried: it changes state. */
export async function disableUser(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<boolean> {
  const input = { UserPoolId: config.userPoolId, Username: username };
  return (await adminCall(cognito, new AdminDisableUserCommand(input), "disabling a user", false)) !== null;
}

/** AdminEnableUser; `false` when Cognito does not know the user. */
export async function enableUser(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<boolean> {
  const input = { UserPoolId: config.userPoolId, Username: username };
  return (await adminCall(cognito, new AdminEnableUserCommand(input), "enabling a user", false)) !== null;
}

/**
 * AdminUserGlobalSignOut: every refresh token Cognito issued to the user stops working. `false` when
 * Cognito does not know the user or refuses the credentials. Not retried: it changes state.
 */
export async function adminGlobalSignOut(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<boolean> {
  const input = { UserPoolId: config.userPoolId, Username: username };
  return (
    (await adminCall(cognito, new AdminUserGlobalSignOutCommand(input), "signing a user out", false)) !== null
  );
}

/** The names of a user's groups (AdminListGroupsForUser); `null` when Cognito refuses to say. */
export async function groupsOfUser(
  cognito: Cognito,
  config: WarrantConfig,
  username: string,
): Promise<string[] | null> {
  const out = await adminCall<{ Groups?: { GroupName?: string }[] }>(
    cognito,
    new AdminListGroupsForUserCommand({ UserPoolId: config.userPoolId, Username: username }),
    "reading a user's groups",
    true,
  );
  return out ? (out.Groups ?? []).map((g) => g.GroupName ?? "").filter(Boolean) : null;
}
