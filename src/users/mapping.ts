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
