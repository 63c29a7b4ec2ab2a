/**
 * @module
 * The fields of the built-in forms: one builder for every field, the attribute tables (input types,
 * autocomplete tokens, what the profile shows), and which mapped attributes a person may edit.
 */
import type { WarrantConfig } from "../options.ts";
import type { FormField } from "../pages/pages.ts";
import { attributeLabel, type Text } from "../pages/text.ts";

/** Attributes Cognito does not let a user change. */
const immutable = new Set(["sub", "email_verified", "phone_number_verified", "identities", "updated_at"]);

/** What the profile page shows when present, after the mapped attributes (as django-warrant's did). */
export const profileAttributes: readonly string[] = [
  "name",
  "given_name",
  "family_name",
  "email",
  "phone_number",
  "gender",
  "address",
  "preferred_username",
  "custom:api_key",
  "custom:api_key_id",
];

const inputTypes: Record<string, FormField["type"]> = {
  email: "email",
  phone_number: "tel",
  website: "url",
  birthdate: "date",
};
const autocompletes: Record<string, string> = {
  email: "email",
  given_name: "given-name",
  family_name: "family-name",
  name: "name",
  phone_number: "tel",
  preferred_username: "nickname",
  address: "street-address",
  birthdate: "bday",
};

/** Cap on one submitted attribute value (Cognito's own limit is 2048). */
export const maxAttributeValue = 2048;

/**
 * A loose email check for forms (Cognito checks the rest). Each part of the domain excludes the dot
 * that ends it, so there is one way to match any input and the check is linear: nothing backtracks.
 */
export const emailPattern: RegExp = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

/**
 * One form field. `kind` picks the input: `password` (never pre-filled), `code` (a one-time code, the
 * digit keypad on phones), `text`, or an attribute's own type.
 */
export function field(
  name: string,
  label: string,
  options: {
    value?: string;
    type?: FormField["type"];
    autocomplete?: string;
    required?: boolean;
    error?: string | undefined;
    code?: boolean;
  } = {},
): FormField {
  return {
    name,
    label,
    value: options.type === "password" ? "" : (options.value ?? ""),
    type: options.type ?? "text",
    autocomplete: options.autocomplete ?? (options.code ? "one-time-code" : "on"),
    ...(options.code ? { inputmode: "numeric" as const } : {}),
    ...(options.required === false ? {} : { required: true }),
    ...(options.error ? { error: options.error } : {}),
  };
}

/** A password field (`current-password` or `new-password`). */
export const passwordField = (name: string, label: string, autocomplete: string, error?: string): FormField =>
  field(name, label, { type: "password", autocomplete, error });

/** A one-time code field. */
export const codeField = (name: string, label: string, error?: string): FormField =>
  field(name, label, { code: true, error });

/** The field of a Cognito attribute, labelled from the text table, typed and autocompleted by attribute. */
export function attributeField(
  text: Text,
  attribute: string,
  name: string,
  value: string,
  options: { required?: boolean; error?: string | undefined } = {},
): FormField {
  return field(name, attributeLabel(text, attribute), {
    value,
    type: inputTypes[attribute] ?? "text",
    autocomplete: autocompletes[attribute] ?? "on",
    required: options.required ?? false,
    error: options.error,
  });
}

/**
 * The mapped attributes a person may write about themselves: `[attribute, field]` pairs, only those on
 * the `writableAttributes` allowlist (SECURITY.md C8: a `custom:` one only when listed), never one that
 * Cognito itself keeps.
 */
export function editable(
  config: Pick<WarrantConfig, "attributeMapping" | "writableAttributes">,
): [string, string][] {
  return Object.entries(config.attributeMapping).filter(
    ([attr]) =>
      config.writableAttributes.includes(attr) && !immutable.has(attr) && !attr.startsWith("cognito:"),
  );
}

/** The fields of mapped attributes a person may not write (off `writableAttributes`, or Cognito's own). */
export function readOnly(config: Pick<WarrantConfig, "attributeMapping" | "writableAttributes">): string[] {
  const writable = new Set(editable(config).map(([, field]) => field));
  return Object.values(config.attributeMapping).filter((field) => !writable.has(field));
}

/** The Cognito attribute a local field maps from. */
export const attributeOf = (config: Pick<WarrantConfig, "attributeMapping">, field: string): string =>
  Object.entries(config.attributeMapping).find(([, f]) => f === field)?.[0] ?? field;

/** The profile form's fields, from the mapped values, with errors on the fields in `errors`. */
export function profileFields(
  config: Pick<WarrantConfig, "attributeMapping" | "writableAttributes">,
  text: Text,
  values: Record<string, string>,
  errors: Set<string> = new Set(),
): FormField[] {
  return editable(config).map(([attr, name]) =>
    attributeField(text, attr, name, values[name] ?? "", {
      required: false,
      error: errors.has(name) ? text["update.fieldInvalid"] : undefined,
    }),
  );
}
