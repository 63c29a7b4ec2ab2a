/**
 * The four start commands as a new user runs them, with no configuration: each embeds cognito-local,
 * prints the URL and the demo user's credentials, and that user can log in.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
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
    });
  }
});
