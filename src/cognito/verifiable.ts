/**
 * @module
 * Which attributes a person proves with a code. On its own, without the SDK, because the pages and routes
 * need the list at load time while the Cognito calls (`account.ts`) load on first use.
 */

/** The attributes a person proves with a code Cognito sends to them. */
export type VerifiableAttribute = "email" | "phone_number";

/** Every {@link VerifiableAttribute}, in the order pages show them. */
export const verifiableAttributes: readonly VerifiableAttribute[] = ["email", "phone_number"];
