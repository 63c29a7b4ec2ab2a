/**
 * adapters/express.ts in a real Express 5 app over a real socket: the middleware claims only basePath,
 * sets `req.warrant` for the app's routes, leaves their bodies to the app's own express.json() (mounted
 * after it, as the README says), `requireUser` answers as `protect`, and the mount-order pitfalls
 * behave as documented.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { requireUser, type WarrantState, warrantMiddleware } from "../../adapters/express.ts";
import { createWarrant } from "../../src/mod.ts";
import { newToken } from "../../src/sessions/store.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

type TestWarrant = ReturnType<typeof warrantFor>;
declare global {
  namespace Express {
    interface Request {
      warrant?: WarrantState<TestWarrant>;
    }
  }
}

async function listen(app: express.Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The app a README reader writes (see the README's Express section). */
function appFor(warrant: TestWarrant) {
  const app = express();
  app.use(warrantMiddleware(warrant));
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.get("/", (req, res) => {
    res.send(req.warrant?.user ? `Hello ${req.warrant.user.username}` : "Hello stranger");
  });
  app.get("/me", requireUser(warrant), (req, res) => {
    res.json({ username: req.warrant?.user?.username, expiresAt: req.warrant?.session?.expiresAt });
  });
  app.post("/orders", requireUser(warrant), (req, res) => {
    res.status(201).json({ item: req.body.item, by: req.warrant?.user?.username });
  });
  app.post("/feedback", (req, res) =>
    res.json({ text: req.body.text, signedIn: Boolean(req.warrant?.user) }),
  );
  return app;
}

async function signIn(url: string, username: string) {
  const res = await fetch(`${url}/accounts/login`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", origin: url },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { user: { username: string } };
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith("warrant="))!;
  return { cookie: cookie.split(";")[0]!, user: body.user };
}

describe("Express adapter", () => {
  let env: Env;
  let warrant: TestWarrant;
  let server: { url: string; close(): Promise<void> };
  before(async () => {
    env = await createEnv();
    warrant = warrantFor(env);
    server = await listen(appFor(warrant));
  });
  after(async () => {
    await server?.close();
    await env.close();
  });

  it("claims only basePath: the login page and a 404 under it are the warrant's", async () => {
    const login = await fetch(`${server.url}/accounts/login`);
    assert.equal(login.status, 200);
    assert.match(await login.text(), /name="csrf"/);
    const unknown = await fetch(`${server.url}/accounts/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), "Not Found");
    const home = await fetch(`${server.url}/`);
    assert.equal(await home.text(), "Hello stranger");
  });

  it("signs in through the warrant, then req.warrant carries the user and session", async () => {
    const name = email("express");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const { cookie, user } = await signIn(server.url, name);
    const home = await fetch(`${server.url}/`, { headers: { cookie } });
    assert.equal(await home.text(), `Hello ${user.username}`);
    const me = await fetch(`${server.url}/me`, { headers: { cookie } });
    const body = (await me.json()) as { username: string; expiresAt: number };
    assert.equal(body.username, user.username);
    assert.ok(body.expiresAt > Date.now());
  });

  it("the app's own POST routes keep their bodies for express.json() and urlencoded after it", async () => {
    const name = email("express-post");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const { cookie, user } = await signIn(server.url, name);
    const order = await fetch(`${server.url}/orders`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ item: "tea" }),
    });
    assert.equal(order.status, 201);
    assert.deepEqual(await order.json(), { item: "tea", by: user.username });
    const feedback = await fetch(`${server.url}/feedback`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "text=hi",
    });
    assert.deepEqual(await feedback.json(), { text: "hi", signedIn: false });
  });

  it("requireUser: 303 with next for a page, 401 for JSON, an unknown token is nobody", async () => {
    const page = await fetch(`${server.url}/me?tab=1`, { redirect: "manual" });
    assert.equal(page.status, 303);
    assert.equal(page.headers.get("location"), "/accounts/login?next=%2Fme%3Ftab%3D1");
    const api = await fetch(`${server.url}/me`, {
      headers: { accept: "application/json", cookie: `warrant=${newToken()}` },
    });
    assert.equal(api.status, 401);
    assert.equal(((await api.json()) as { error: string }).error, "unauthorized");
    const post = await fetch(`${server.url}/orders`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ item: "tea" }),
    });
    assert.equal(post.status, 401, "a JSON body makes it a JSON request");
    await post.arrayBuffer();
  });

  it("mount-order note: express.json() before the warrant drains its login body (nobody signs in), after it does not", async () => {
    const name = email("express-order");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const wrong = express();
    wrong.use(express.json());
    wrong.use(warrantMiddleware(warrant));
    const bad = await listen(wrong);
    try {
      const res = await fetch(`${bad.url}/accounts/login`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", origin: bad.url },
        body: JSON.stringify({ username: name, password: PASSWORD }),
      });
      // express.json() read the body first: the warrant gets an empty one, so nobody signs in.
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, "invalid_credentials");
      assert.deepEqual(
        res.headers.getSetCookie().filter((c) => c.startsWith("warrant=")),
        [],
      );
    } finally {
      await bad.close();
    }
    await signIn(server.url, name); // the README's order signs in
  });

  it('mount-order note: under app.use("/accounts", …) the warrant still sees the full path, but other routes get no req.warrant', async () => {
    const name = email("express-path");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const app = express();
    app.use("/accounts", warrantMiddleware(warrant));
    app.get("/", (req, res) => res.send(req.warrant ? "set" : "unset"));
    const mounted = await listen(app);
    try {
      const { cookie } = await signIn(mounted.url, name);
      const home = await fetch(`${mounted.url}/`, { headers: { cookie } });
      assert.equal(await home.text(), "unset");
    } finally {
      await mounted.close();
    }
  });
});

/** Compile-time only: WarrantState follows a typed warrant's user. Never called. */
export function typedUserTypes(state: WarrantState<ReturnType<typeof typedWarrant>>): string | undefined {
  // @ts-expect-error a field the mapping does not make
  void state.user?.frist_name;
  return state.user?.first_name;
}

function typedWarrant() {
  return createWarrant({
    userPoolId: "eu-west-1_Types",
    clientId: "types",
    secret: "x".repeat(32),
    attributeMapping: { given_name: "first_name", email: "email" },
  });
}
