/**
 * @module
 * Type tests (checked by tsc in test/types/types.test.ts, never run): the user type `createWarrant`
 * infers from `attributeMapping` and `userSchema` reaches every API that hands out a user, and a
 * misspelt field, text key or event name does not compile. Each `@ts-expect-error` must be an error:
 * tsc fails on one that is not, and the test also removes them and counts the errors that appear.
 */
import * as v from "valibot";
import { defineWorker } from "../../adapters/cloudflare.ts";
import {
  createWarrant,
  type ProtectContext,
  type Session,
  type UserOf,
  type Warrant,
  type WarrantUser,
} from "../../src/mod.ts";
import { createSessionReader } from "../../src/reader.ts";
import { createSession } from "../../src/testing.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(_: T): void => {};
const base = { userPoolId: "eu-west-1_Types", clientId: "types", secret: "x".repeat(32) };
const request = new Request("http://localhost/");

// The default mapping: email, first_name, last_name, each string | undefined.
const plain = createWarrant(base);
export const protectedRoute = plain.protect((_request, { user, session }) => {
  expectType<Equal<typeof user.first_name, string | undefined>>(true);
  expectType<Equal<typeof user.email, string | undefined>>(true);
  expectType<Equal<typeof user.username, string>>(true);
  expectType<Equal<typeof user.groups, string[]>>(true);
  expectType<Equal<typeof session.user, typeof user>>(true);
  // @ts-expect-error a misspelt field does not compile
  user.frist_name;
  return new Response(user.first_name ?? user.username);
});

export async function sessions(): Promise<void> {
  const session = await plain.getSession(request);
  if (session) {
    expectType<Equal<typeof session.user.last_name, string | undefined>>(true);
    // @ts-expect-error getSession's user is typed too
    session.user.lastname;
  }
  const result = await plain.authenticate("ada@example.com", "pw");
  if (result.ok) {
    expectType<Equal<typeof result.user.first_name, string | undefined>>(true);
    // @ts-expect-error authenticate's user is typed too
    result.user.surname;
  }
  const answered = await plain.respond("id", { code: "123456" });
  if (answered.ok) {
    // @ts-expect-error respond's user is typed too
    answered.user.frist_name;
  }
  const record = await plain.getUser("ada");
  if (record) {
    expectType<Equal<typeof record.first_name, string | undefined>>(true);
    expectType<Equal<typeof record.lastLoginAt, number>>(true);
    // @ts-expect-error the local record has no groups (they live in the session)
    record.groups;
  }
}

// A custom mapping, written inline: its values are the field names.
const custom = createWarrant({
  ...base,
  attributeMapping: { email: "email", "custom:plan": "plan" },
});
export const customRoute = custom.protect((_request, { user }) => {
  expectType<Equal<typeof user.plan, string | undefined>>(true);
  // @ts-expect-error first_name is not mapped here
  user.first_name;
  return new Response(user.plan ?? "");
});

// A schema types its fields: required ones are required, mapped fields outside it are optional strings.
const schema = v.object({
  email: v.pipe(v.string(), v.email()),
  first_name: v.optional(v.string()),
  age: v.optional(v.pipe(v.string(), v.transform(Number))),
});
const typed = createWarrant({
  ...base,
  attributeMapping: { email: "email", given_name: "first_name", "custom:age": "age", "custom:team": "team" },
  userSchema: schema,
});
export async function schemaTyped(): Promise<void> {
  const session = await typed.getSession(request);
  if (!session) return;
  expectType<Equal<typeof session.user.email, string>>(true);
  expectType<Equal<typeof session.user.age, number | undefined>>(true);
  expectType<Equal<typeof session.user.team, string | undefined>>(true);
  // @ts-expect-error not mapped
  session.user.last_name;
  const record = await typed.getUser("ada");
  if (record) expectType<Equal<typeof record.email, string>>(true);
}

// Code that takes a warrant gets its user type back.
type TypedUser = UserOf<typeof typed>;
expectType<Equal<TypedUser["email"], string>>(true);
expectType<
  Equal<
    UserOf<typeof plain>,
    WarrantUser<{ email: "email"; given_name: "first_name"; family_name: "last_name" }, undefined>
  >
>(true);
export const handler = (context: ProtectContext<TypedUser>): string => context.user.email;
// A typed warrant still goes where a plain `Warrant` is taken (the adapters).
export const asPlain: Warrant = typed;
export const sessionOf = (s: Session<TypedUser>): string => s.user.email;

// The session reader is typed the same way.
const reader = createSessionReader({ ...base, storage: {} as never, attributeMapping: { email: "mail" } });
export async function readerTyped(): Promise<void> {
  const session = await reader.getSession(request);
  if (!session) return;
  expectType<Equal<typeof session.user.mail, string | undefined>>(true);
  // @ts-expect-error the reader's mapping has no email field
  session.user.email;
}

// The test helper takes fields of the warrant's user and refuses others.
export async function testing(): Promise<void> {
  await createSession(plain, { username: "ada", first_name: "Ada" });
  // @ts-expect-error not a field of this warrant's users
  await createSession(plain, { username: "ada", frist_name: "Ada" });
  await createSession(typed, { username: "ada", email: "ada@example.com", age: 36 });
  // @ts-expect-error the schema says age is a number
  await createSession(typed, { username: "ada", email: "ada@example.com", age: "36" });
}

// Text keys are typed: known ones, attribute labels and the extensions' families.
createWarrant({
  ...base,
  text: { "login.title": "Anmelden", "attr.custom:plan": "Plan", "passkeys.link": "Keys" },
});
// @ts-expect-error a misspelt text key does not compile
createWarrant({ ...base, text: { "login.titel": "Anmelden" } });

// The Workers adapter types its app's warrant from the options `configure` returns.
defineWorker(
  (env: { KV: never }) => ({
    ...base,
    kv: env.KV,
    attributeMapping: { email: "email", "custom:plan": "plan" },
  }),
  async (request, { warrant }) => {
    const session = await warrant.getSession(request);
    const plan: string | undefined = session?.user.plan;
    // @ts-expect-error not mapped in this Worker's options
    session?.user.first_name;
    return new Response(plan ?? "");
  },
);

// The login event's user is the warrant's user type.
createWarrant({
  ...base,
  attributeMapping: { email: "email", "custom:plan": "plan" },
  events: {
    login: ({ user }) => {
      const plan: string | undefined = user.plan;
      // @ts-expect-error not mapped here
      user.first_name;
      void plan;
    },
    sessionEnd: ({ reason }) => {
      // @ts-expect-error not a reason a session ends for
      if (reason === "timeout") return;
    },
  },
});
