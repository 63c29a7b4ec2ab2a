/**
 * The README's Deno snippet run with the README's exact `deno run` line (only the listen port and the
 * Cognito host swapped for this machine's: the test's cognito-local front stands in for
 * cognito-idp.eu-west-1.amazonaws.com), as a JSR user would import the package. It must serve, sign a
 * user in with SRP (the AWS SDK's first call, where --allow-sys matters), keep the session in the Deno
 * KV file, and, without --allow-sys, answer that sign-in with a 503 instead (the SDK asks the OS for its
 * release for the User-Agent header).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { copyPackage, type PackageCopy } from "../../scripts/check-package.ts";
import { startServer } from "../conformance/servers.ts";
import { freePort } from "../support/cognito-local.ts";
import { readmeBlock } from "../support/readme.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";
import { attachSrpResponder } from "../support/srp-responder.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const deno = join(root, "node_modules/.bin/deno");

/** The README's `deno run` line as argv, with this machine's port and Cognito host. */
function denoArgs(port: number, cognitoHost: string): string[] {
  const line = readmeBlock("deno-run.sh").replace(/\\\n/g, " ");
  const argv = line.trim().split(/\s+/);
  assert.equal(argv.shift(), "deno");
  assert.ok(!argv.includes("-A") && !argv.some((a) => a === "--allow-all"), "least permissions, not -A");
  return argv.map((arg) =>
    arg
      .replace("127.0.0.1:3000", `127.0.0.1:${port}`)
      .replace("cognito-idp.eu-west-1.amazonaws.com", cognitoHost),
  );
}

describe("the README's deno run line", () => {
  let env: Env;
  let copy: PackageCopy;
  let project: string;
  let username: string;
  before(async () => {
    env = await createEnv();
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    username = email("deno-perms");
    await env.pool.createUser({ email: username, password: PASSWORD });
    await responder.addUser(username, PASSWORD);
    copy = copyPackage();
    project = mkdtempSync(join(tmpdir(), "warrant-deno-perms-"));
    const config = JSON.parse(readmeBlock("deno.json"));
    writeFileSync(join(project, "deno.json"), JSON.stringify({ ...config, links: [copy.dir] }));
    writeFileSync(join(project, "deno.ts"), readmeBlock("deno.ts"));
  });
  after(async () => {
    await env?.close();
    copy?.remove();
    if (project) rmSync(project, { recursive: true, force: true });
  });

  /** `change` edits the argv: drop a flag, or narrow one. */
  async function run(change: (args: string[]) => string[] = (a) => a) {
    const port = await freePort();
    const args = change(denoArgs(port, new URL(env.front.endpoint).host));
    return startServer(`deno ${args.join(" ")}`, deno, args, {
      cwd: project,
      port,
      env: {
        COGNITO_USER_POOL_ID: env.pool.userPoolId,
        COGNITO_CLIENT_ID: env.pool.clientId,
        COGNITO_ENDPOINT: env.front.endpoint,
        WARRANT_SECRET: SECRET,
      },
    });
  }

  const login = (url: string) =>
    fetch(`${url}/accounts/login`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", origin: url },
      body: JSON.stringify({ username, password: PASSWORD }),
    });

  it("starts, signs a user in with SRP and keeps the session in the KV file", async () => {
    const server = await run();
    try {
      const page = await fetch(`${server.url}/accounts/login`);
      assert.equal(page.status, 200);
      await page.arrayBuffer();
      const res = await login(server.url);
      assert.equal(res.status, 200, server.output());
      await res.arrayBuffer();
      const cookie = res.headers
        .getSetCookie()
        .find((c) => c.startsWith("warrant="))!
        .split(";")[0]!;
      const session = await fetch(`${server.url}/accounts/session`, {
        headers: { cookie, accept: "application/json" },
      });
      assert.equal(session.status, 200);
      assert.equal(((await session.json()) as { user: { email?: string } }).user.email, username);
      assert.doesNotMatch(server.output(), /PermissionDenied|NotCapable|Requires \w+ access/);
    } finally {
      await server.stop();
    }
  });

  it("without --allow-sys the SDK's call cannot be made: the sign-in is a 503, not a crash", async () => {
    const server = await run((args) => args.filter((a) => !a.startsWith("--allow-sys")));
    try {
      const res = await login(server.url);
      assert.equal(res.status, 503);
      assert.ok(res.headers.get("retry-after"));
      assert.equal(((await res.json()) as { error: string }).error, "unavailable");
      assert.match(server.output(), /Deno permission missing: run with --allow-sys/);
    } finally {
      await server.stop();
    }
  });

  it("without --allow-env for the AWS SDK's variables, sign-in is a 503 naming the flag, not a 500", async () => {
    const appOnly = "--allow-env=COGNITO_USER_POOL_ID,COGNITO_CLIENT_ID,COGNITO_ENDPOINT,WARRANT_SECRET,PORT";
    const server = await run((args) => args.map((a) => (a.startsWith("--allow-env=") ? appOnly : a)));
    try {
      const res = await login(server.url);
      assert.equal(res.status, 503, server.output());
      assert.equal(((await res.json()) as { error: string }).error, "unavailable");
      assert.match(server.output(), /Deno permission missing: run with --allow-env/);
    } finally {
      await server.stop();
    }
  });
});
