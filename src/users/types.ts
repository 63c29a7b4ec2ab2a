/**
 * @module
 * The user types `createWarrant` infers from its options: the local fields `attributeMapping` names,
 * typed by `userSchema` when there is one. Types only; the records themselves are checked at run time by
 * `userSchema` (users/store.ts), so these types are a view of what passed that check.
 */
import type * as v from "valibot";
import type { ObjectSchema } from "../options.ts";

export type { DefaultAttributeMapping } from "../options.ts";

import type { SessionUser } from "../sessions/store.ts";
import type { LocalUser } from "./store.ts";

/** The local field names an attribute mapping names: its values. */
export type MappedFields<M> = M[keyof M] & string;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * The mapped fields of a user: each one the schema declares has the schema's output type, every other
 * mapped field is an optional string (mapped attributes outside `userSchema` come back on the login, not
 * stored). A mapping whose values are plain `string` (not literal) gives no field names to check: the
 * fields are then open (`unknown`), as without types.
 */
export type UserFields<M, S> =
  string extends MappedFields<M>
    ? { [field: string]: unknown }
    : S extends ObjectSchema
      ? Flatten<
          v.InferOutput<S> & { [K in Exclude<MappedFields<M>, keyof v.InferOutput<S>>]?: string | undefined }
        >
      : { [K in MappedFields<M>]?: string | undefined };

/**
 * The signed-in user `createWarrant<M, S>` hands out (`protect`, `getSession`, `authenticate`,
 * `respond`): the Cognito username, `sub`, the Cognito groups and the mapped fields.
 *
 * @example
 * ```ts
 * type User = WarrantUser<{ given_name: "first_name" }, undefined>; // { username; sub; groups; first_name?: string }
 * ```
 */
export type WarrantUser<M, S> = Flatten<
  { username: string; sub: string; groups: string[] } & UserFields<M, S>
>;

/**
 * The local record of a user as `getUser` returns it: what `userSchema` stores (for the default schema
 * the mapped fields, optional strings) and the bookkeeping timestamps. Without typed fields, `LocalUser`.
 */
export type StoredUser<M, S> =
  string extends MappedFields<M>
    ? LocalUser
    : Flatten<
        {
          username: string;
          sub: string;
          createdAt: number;
          updatedAt: number;
          lastLoginAt: number;
        } & (S extends ObjectSchema ? v.InferOutput<S> : { [K in MappedFields<M>]?: string | undefined })
      >;

/**
 * The user type of a warrant (or session reader), for code that takes one: adapters, helpers.
 *
 * @example
 * ```ts
 * function greet(user: UserOf<typeof warrant>) { return user.first_name ?? user.username; }
 * ```
 */
export type UserOf<W> = W extends { getSession(request: Request): Promise<{ readonly user: infer U } | null> }
  ? U
  : SessionUser;
