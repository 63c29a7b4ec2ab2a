/**
 * @module
 * The local user record: `users:<cognito username>`. The Cognito username never changes, so it is the
 * key that links a Cognito user to its local record (as in django-warrant).
 */
import * as v from "valibot";
import { WarrantError } from "../errors.ts";
import type { ObjectSchema } from "../options.ts";
import type { Store } from "../storage.ts";

/** The stored local user: the mapped fields that `userSchema` declares, plus bookkeeping. */
export interface LocalUser {
  /** The Cognito username (in pools that sign in by email, Cognito's `sub`). */
  username: string;
  sub: string;
  createdAt: number;
  updatedAt: number;
  lastLoginAt: number;
  [field: string]: unknown;
}

/** The storage key of a user's record. */
export const userKey = (username: string): string => `users:${username}`;

/** The outcome of {@link validateFields}. */
export type FieldCheck =
  | { ok: true; stored: Record<string, unknown>; extra: Record<string, string> }
  | { ok: false; paths: string[]; issues: { path: unknown[] | undefined; message: string }[] };

/**
 * Validates mapped fields against `userSchema`: what may be stored, and the mapped fields the schema
 * does not declare (they go back to the caller, not to storage).
 */
export function validateFields(schema: ObjectSchema, fields: Record<string, string>): FieldCheck {
  const declared = new Set(Object.keys(schema.entries));
  const candidate: Record<string, unknown> = {};
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (declared.has(key)) candidate[key] = value;
    else extra[key] = value;
  }
  const result = v.safeParse(schema, candidate);
  if (result.success) return { ok: true, stored: result.output as Record<string, unknown>, extra };
  // Field names only: the values are personal data and stay out of messages and logs.
  const keyOf = (i: v.BaseIssue<unknown>) =>
    i.path?.map((p: { key: unknown }) => String(p.key)).join(".") ?? "(record)";
  return {
    ok: false,
    paths: [...new Set(result.issues.map(keyOf))],
    issues: result.issues.map((i) => ({
      path: i.path?.map((p: { key: unknown }) => p.key),
      message: i.message,
    })),
  };
}

/**
 * Like {@link validateFields}, but a record that fails the schema is refused whole with a
 * `WarrantError`: nothing half-valid is stored.
 */
export function checkFields(
  schema: ObjectSchema,
  fields: Record<string, string>,
): { stored: Record<string, unknown>; extra: Record<string, string> } {
  const result = validateFields(schema, fields);
  if (result.ok) return result;
  throw new WarrantError(
    "user_record_invalid",
    `the local user record does not satisfy options.userSchema at ${result.paths.join(", ")}`,
    {
      cause: result.issues,
    },
  );
}

/**
 * Creates or updates the local record after a login. `null` means the user is unknown and creation is off.
 */
export async function upsertUser(
  store: Store,
  input: {
    username: string;
    sub: string;
    stored: Record<string, unknown>;
    create: boolean;
    now: number;
    login: boolean;
  },
): Promise<LocalUser | null> {
  const key = userKey(input.username);
  const existing = await store.get<LocalUser>(key);
  if (!existing && !input.create) return null;
  const record: LocalUser = {
    ...(existing ?? {}),
    ...input.stored,
    username: input.username,
    sub: input.sub,
    createdAt: existing?.createdAt ?? input.now,
    updatedAt: input.now,
    lastLoginAt: input.login ? input.now : (existing?.lastLoginAt ?? input.now),
  };
  await store.set(key, record);
  return record;
}
