/**
 * @module
 * Cognito attributes ↔ local fields, through `attributeMapping` (Cognito name → local field name).
 */

/** A Cognito attribute as the API carries it. */
export interface Attribute {
  Name?: string | undefined;
  Value?: string | undefined;
}

/**
 * Maps Cognito attributes to local fields; attributes outside the mapping are dropped.
 *
 * @example
 * ```ts
 * mapAttributes([{ Name: "given_name", Value: "Ada" }], { given_name: "first_name" }) // { first_name: "Ada" }
 * ```
 */
export function mapAttributes(
  attributes: readonly Attribute[],
  mapping: Readonly<Record<string, string>>,
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const { Name, Value } of attributes) {
    if (Name === undefined || Value === undefined) continue;
    const field = mapping[Name];
    if (field !== undefined && Object.hasOwn(mapping, Name)) fields[field] = Value;
  }
  return fields;
}

/**
 * Local fields back to Cognito attributes (for UpdateUserAttributes); fields outside the mapping are dropped.
 *
 * @example
 * ```ts
 * reverseMap({ first_name: "Ada" }, { given_name: "first_name" }) // [{ Name: "given_name", Value: "Ada" }]
 * ```
 */
export function reverseMap(
  fields: Readonly<Record<string, unknown>>,
  mapping: Readonly<Record<string, string>>,
): { Name: string; Value: string }[] {
  const out: { Name: string; Value: string }[] = [];
  for (const [name, field] of Object.entries(mapping)) {
    const value = fields[field];
    if (typeof value === "string") out.push({ Name: name, Value: value });
  }
  return out;
}

/** Attributes Cognito verifies by a code, each with the attribute that says whether it is verified. */
const verifiedBy: Readonly<Record<string, string>> = {
  email: "email_verified",
  phone_number: "phone_number_verified",
};

/** True for an attribute that only counts once Cognito has verified it (email, phone number). */
export const needsVerification = (name: string): boolean => Object.hasOwn(verifiedBy, name);

/**
 * The attributes without an email or phone number that Cognito marks unverified: a changed address is
 * not mirrored into the local record or a session before its owner proved it (SECURITY.md C8).
 *
 * @example
 * ```ts
 * verifiedOnly([{ Name: "email", Value: "new@x" }, { Name: "email_verified", Value: "false" }]) // []
 * ```
 */
export function verifiedOnly(attributes: readonly Attribute[]): Attribute[] {
  const flags = new Map(attributes.map((a) => [a.Name, a.Value]));
  return attributes.filter(
    (a) => !(a.Name && needsVerification(a.Name) && flags.get(verifiedBy[a.Name]!) === "false"),
  );
}
