/**
 * The four start commands as a new user runs them, with no configuration: each embeds cognito-local,
 * prints the URL, the embedded pool and the demo users' credentials, that user can log in, and every flow
 * the pages offer completes with the codes the demo prints (demo-flows.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { changePasswordFlow, codesFor, resetFlow, signUpFlow, staffFlow } from "./demo-flows.ts";
import { type DemoServer, type Runtime, startDemo } from "./servers.ts";
import { httpClient } from "./suite.ts";

const runtimes: Runtime[] = ["node", "bun", "deno", "workers"];
// Unset, not empty: spawn leaves undefined variables out of the child's environment.
const unconfigured = {
  COGNITO_USER_POOL_ID: undefined,
  COGNITO_CLIENT_ID: undefined,
  COGNITO_ENDPOINT: undefined,
  WARRANT_SECRET: undefined,
  REDIS_URL: undefined,
};

/** Waits for the banner: the server may answer a moment before it prints. */
async function credentials(server: DemoServer) {
  for (let i = 0; i < 100; i++) {
    const user = /demo user: (\S+)/.exec(server.output())?.[1];
    const password = /password: +(\S+)/.exec(server.output())?.[1];
    if (user && password) return { user, password };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no credentials printed:\n${server.output()}`);
}

/** The staff user's name and password from the banner. */
function staffCredentials(server: DemoServer) {
  const m = /staff user: +(\S+).*\n +password: +(\S+)/.exec(server.output());
  if (!m) throw new Error(`no staff user printed:\n${server.output()}`);
  return { user: m[1]!, password: m[2]! };
}

describe("start commands without configuration", () => {
  const servers = new Map<Runtime, DemoServer>();
  before(async () => {
    const started = await Promise.allSettled(runtimes.map((r) => startDemo(r, unconfigured)));
    started.forEach((s, i) => {
      if (s.status === "fulfilled") servers.set(runtimes[i]!, s.value);
    });
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  });
  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
  });

  for (const runtime of runtimes) {
    it(`${runtime}: prints the URL and a demo user who can log in`, async () => {
      const server = servers.get(runtime)!;
      const { user, password } = await credentials(server);
      assert.match(server.output(), /demo on http:\/\/localhost:\d+/);
      const client = httpClient(server.url);
      const res = await client.login(user, password);
      assert.equal(res.status, 303);
      const home = await client.get("/");
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Hello, Demo/);
      // The banner says where the embedded Cognito is and where codes appear.
      assert.match(server.output(), /embedded Cognito: http:\/\/127\.0\.0\.1:\d+/);
      assert.match(server.output(), /pool id: +local_\w+/);
      assert.match(server.output(), /client id: +\w+/);
      assert.match(server.output(), /codes .* are printed here/);
    });

    it(`${runtime}: sign-up, password change, reset and the staff pages all complete`, async () => {
      const server = servers.get(runtime)!;
      await credentials(server);
      const tag = `${runtime}-${crypto.randomUUID().slice(0, 6)}`;
      const name = `new-${tag}@example.com`;
      const first = `First-${tag}-1a!`;
      const second = `Second-${tag}-2b!`;
      const third = `Third-${tag}-3c!`;
      const client = await signUpFlow(server, name, first);
      await changePasswordFlow(server, client, name, first, second);
      const signedIn = await resetFlow(server, name, third, codesFor(server, name).length);
      await staffFlow(server, staffCredentials(server), signedIn);
    });
  }
});
