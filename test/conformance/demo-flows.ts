/**
 * @module
 * Every flow the demo's pages offer, run over real HTTP against a started demo with its embedded Cognito,
 * reading the codes from the demo's console as a person would: sign-up → confirm → signed in, password
 * change → sign in with the new password, forgot → reset → signed in, and the staff user on the admin
 * pages (with a non-staff user refused in words of its own).
 */
import assert from "node:assert/strict";
import type { Client } from "../support/browser-client.ts";
import type { DemoServer } from "./servers.ts";
import { httpClient } from "./suite.ts";

/** The `[demo] code …` lines the demo prints for `destination`, oldest first. */
export function codesFor(server: DemoServer, destination: string): { code: string; purpose: string }[] {
  const out: { code: string; purpose: string }[] = [];
  for (const m of server.output().matchAll(/^\[demo\] code (\S+) for (\S+) \(([^)]+)\)$/gm))
    if (m[2] === destination) out.push({ code: m[1]!, purpose: m[3]! });
  return out;
}

/** Waits for the `n`th code (1-based) printed for `destination`. */
export async function nthCode(server: DemoServer, destination: string, n: number, purpose: string) {
  for (let i = 0; i < 200; i++) {
    const found = codesFor(server, destination)[n - 1];
    if (found) {
      assert.equal(found.purpose, purpose);
      return found.code;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code ${n} for ${destination} printed:\n${server.output()}`);
}

const location = (res: Response) => res.headers.get("location") ?? "";

async function assertSignedIn(client: Client, name: string) {
  const res = await client.get("/accounts/session");
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as { user: { email?: string } }).user.email, name);
}

async function signOut(client: Client) {
  const res = await client.submit("/accounts/profile", "/accounts/logout", {});
  assert.equal(res.status, 303);
}

/** Sign-up → the code on the console → confirm → signed in, and the profile says so. */
export async function signUpFlow(server: DemoServer, name: string, password: string): Promise<Client> {
  const client = httpClient(server.url);
  const signup = await client.submit("/accounts/signup", "/accounts/signup", {
    email: name,
    password,
    confirmPassword: password,
    first_name: "New",
  });
  assert.equal(signup.status, 303, await signup.text());
  const confirmPage = location(signup);
  assert.match(confirmPage, /^\/accounts\/signup\/confirm\?sent=1/);
  const code = await nthCode(server, name, 1, "sign-up confirmation");
  // cognito-local gives SignUp no Session, so this browser proves the password by typing it again (C10).
  const confirmed = await client.submit(confirmPage, "/accounts/signup/confirm", {
    username: name,
    code,
    password,
  });
  assert.equal(confirmed.status, 303, await confirmed.text());
  assert.equal(location(confirmed), "/accounts/profile?signup=confirmed");
  const profile = await client.get(location(confirmed));
  assert.match(await profile.text(), /Your account is confirmed and you are signed in\./);
  await assertSignedIn(client, name);
  return client;
}

/** Change the password while signed in, sign out, and sign in with the new one (the old one fails). */
export async function changePasswordFlow(
  server: DemoServer,
  client: Client,
  name: string,
  from: string,
  to: string,
): Promise<void> {
  const changed = await client.submit("/accounts/password/change", "/accounts/password/change", {
    currentPassword: from,
    newPassword: to,
    confirmPassword: to,
  });
  assert.equal(changed.status, 303, await changed.text());
  const profile = await client.get(location(changed));
  assert.match(await profile.text(), /Your password was changed\./);
  await signOut(client);
  const old = await httpClient(server.url).login(name, from);
  assert.equal(old.status, 401);
  // A failed login keeps what was typed.
  assert.match(await old.text(), new RegExp(`value="${name.replace(/[.+]/g, "\\$&")}"`));
  const again = httpClient(server.url);
  const res = await again.login(name, to);
  assert.equal(res.status, 303);
  await assertSignedIn(again, name);
}

/** Forgot → the code on the console → reset → signed in; then the new password signs in anew. */
export async function resetFlow(
  server: DemoServer,
  name: string,
  to: string,
  codesBefore: number,
): Promise<Client> {
  const client = httpClient(server.url);
  const forgot = await client.submit("/accounts/password/forgot", "/accounts/password/forgot", {
    username: name,
  });
  assert.equal(forgot.status, 303);
  const resetPage = location(forgot);
  assert.match(resetPage, /^\/accounts\/password\/reset\?sent=1/);
  const code = await nthCode(server, name, codesBefore + 1, "password reset");
  const reset = await client.submit(resetPage, "/accounts/password/reset", {
    username: name,
    code,
    newPassword: to,
    confirmPassword: to,
  });
  assert.equal(reset.status, 303, await reset.text());
  assert.equal(location(reset), "/accounts/profile?password=reset");
  const profile = await client.get(location(reset));
  assert.match(await profile.text(), /Your password was reset and you are signed in\./);
  await assertSignedIn(client, name);
  const fresh = httpClient(server.url);
  assert.equal((await fresh.login(name, to)).status, 303);
  await assertSignedIn(fresh, name);
  return fresh;
}

/** The staff user sees the users list; a signed-in non-staff user gets the staff-only 403. */
export async function staffFlow(
  server: DemoServer,
  staff: { user: string; password: string },
  other: Client,
) {
  const client = httpClient(server.url);
  assert.equal((await client.login(staff.user, staff.password)).status, 303);
  const list = await client.get("/accounts/admin/users");
  assert.equal(list.status, 200);
  const body = await list.text();
  assert.match(body, /demo@example\.com/);
  assert.match(body, /admin@example\.com/);
  const refused = await other.get("/accounts/admin/users");
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /This page is for staff only\./);
  const refusedJson = await other.get("/accounts/admin/users", { accept: "application/json" });
  assert.equal(refusedJson.status, 403);
  assert.match(((await refusedJson.json()) as { message: string }).message, /staff only/);
}
