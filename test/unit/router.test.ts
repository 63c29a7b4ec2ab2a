import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStorage } from "unstorage";
import { WarrantError } from "../../src/errors.ts";
import type { RouteDeps } from "../../src/http/context.ts";
import { Refusal } from "../../src/http/guards.ts";
import { lazyRoutes as lazyRoutesOf, routeTable } from "../../src/http/handler.ts";
import { routeGroups as bundledGroups } from "../../src/http/route-groups.browser.ts";
import { routeGroups } from "../../src/http/route-groups.ts";
import { createRouter, normalisePath, type Routes, underBase } from "../../src/http/router.ts";
import { createWarrant, type WarrantExtension } from "../../src/mod.ts";
import { resolveConfig } from "../../src/options.ts";
import { builtinPages } from "../../src/pages/pages.ts";
import { defaultText } from "../../src/pages/text.ts";

const options = {
  userPoolId: "eu-west-1_Router",
  clientId: "c",
  secret: "router-secret-0123456789-abcdefghijklmn",
};

/** Route services with only what the router itself uses; the routes under test use nothing else. */
function routerDeps(errors: unknown[] = []): RouteDeps {
  return {
    config: resolveConfig(options),
    pages: builtinPages,
    text: defaultText,
    onError: (error: unknown) => errors.push(error),
  } as unknown as RouteDeps;
}

const get = (path: string, init: RequestInit = {}) => new Request(`http://localhost${path}`, init);

describe("router", () => {
  const seen: string[] = [];
  const routes: Routes = {
    "/login": { GET: async (ctx) => new Response(`login ${ctx.url.pathname}`) },
    "/admin/users/:username": {
      GET: async (ctx) => {
        seen.push(ctx.params.username!);
        return new Response(`user ${ctx.params.username}`);
      },
      POST: async () => new Response("posted"),
    },
    "/refused": { GET: async () => Promise.reject(new Refusal(new Response("nope", { status: 403 }))) },
    "/down": { GET: async () => Promise.reject(new WarrantError("cognito_unavailable", "down")) },
    "/broken": { GET: async () => Promise.reject(new Error("arn:aws:secret leaked")) },
  };

  it("normalises paths: repeated slashes and a trailing slash are one route", async () => {
    const handler = createRouter(routerDeps(), routes);
    for (const path of ["/accounts/login", "//accounts//login", "/accounts/login/"]) {
      const response = await handler(get(path));
      assert.equal(response.status, 200, path);
    }
    assert.equal(normalisePath("//a///b"), "/a/b");
  });

  it("answers 404 in plain text outside basePath and for unknown paths, so apps fall through", async () => {
    const handler = createRouter(routerDeps(), routes);
    for (const path of ["/", "/login", "/accountsx/login", "/accounts/nope"]) {
      const response = await handler(get(path));
      assert.equal(response.status, 404, path);
      assert.equal(await response.text(), "Not Found");
    }
    assert.equal(underBase("/anything", ""), true);
    assert.equal(underBase("/accounts", "/accounts"), true);
    assert.equal(underBase("/accountsx", "/accounts"), false);
  });

  it("serves HEAD as GET and answers another method with 405 and Allow", async () => {
    const handler = createRouter(routerDeps(), routes);
    assert.equal((await handler(get("/accounts/login", { method: "HEAD" }))).status, 200);
    const response = await handler(get("/accounts/admin/users/x", { method: "DELETE" }));
    assert.equal(response.status, 405);
    assert.equal(response.headers.get("allow"), "GET, POST");
  });

  it("decodes :param segments; a malformed escape is a 404", async () => {
    const handler = createRouter(routerDeps(), routes);
    assert.equal(
      await (await handler(get("/accounts/admin/users/ada%40example.com"))).text(),
      "user ada@example.com",
    );
    assert.equal((await handler(get("/accounts/admin/users/%E0%A4%A"))).status, 404);
    assert.equal((await handler(get("/accounts/admin/users/a/b"))).status, 404);
    assert.deepEqual(seen, ["ada@example.com"]);
  });

  it("error boundary: a Refusal as it is, an outage as 503 + Retry-After, anything else a generic 500", async () => {
    const errors: unknown[] = [];
    const handler = createRouter(routerDeps(errors), routes);
    const refused = await handler(get("/accounts/refused"));
    assert.equal(refused.status, 403);
    assert.equal(await refused.text(), "nope");
    const down = await handler(get("/accounts/down", { headers: { accept: "application/json" } }));
    assert.equal(down.status, 503);
    assert.equal(down.headers.get("retry-after"), "5");
    assert.equal((await down.json()).error, "unavailable");
    const broken = await handler(get("/accounts/broken"));
    assert.equal(broken.status, 500);
    assert.doesNotMatch(await broken.text(), /arn:aws|leaked/);
    assert.equal(errors.length, 2, "outages and failures are reported, refusals are not");
  });
});

const hello: WarrantExtension = {
  name: "hello",
  routes: () => ({ "/hello": { GET: async () => new Response("hi") } }),
};
const loginAgain: WarrantExtension = { name: "x", routes: () => ({ "/login": {} }) };

describe("extensions", () => {
  it("add route groups under basePath", async () => {
    const warrant = createWarrant({
      ...options,
      storage: createStorage(),
      extensions: [hello],
    });
    const response = await warrant.handler(get("/accounts/hello"));
    assert.equal(await response.text(), "hi");
  });

  it("may not claim a path that is served already, nor share a name", () => {
    assert.throws(() => createWarrant({ ...options, extensions: [loginAgain] }), /claims \/login/);
    assert.throws(
      () => createWarrant({ ...options, extensions: [{ name: "x" }, { name: "x" }] }),
      (e: unknown) =>
        e instanceof WarrantError && e.code === "invalid_options" && /options\.extensions/.test(e.message),
    );
  });
});

describe("built-in route groups, loaded on first use", () => {
  it("each group's listed paths and methods are what its module serves", async () => {
    for (const [name, group] of Object.entries(routeGroups)) {
      const routes = (await group.load())(routerDeps());
      const served = Object.fromEntries(
        Object.entries(routes).map(([path, methods]) => [path, Object.keys(methods).sort()]),
      );
      const listed = Object.fromEntries(
        Object.entries(group.paths).map(([path, m]) => [path, [...m].sort()]),
      );
      assert.deepEqual(listed, served, `routeGroups.${name}`);
    }
  });

  it("a group is loaded once, on its first request, and a failed load is tried again", async () => {
    let loads = 0;
    let fail = true;
    const group = {
      paths: { "/hello": ["GET"], "/hello/:name": ["GET", "POST"] } as const,
      load: async () => {
        loads++;
        if (fail) throw new Error("not there yet");
        return (): Routes => ({
          "/hello": { GET: async () => new Response("hello") },
          "/hello/:name": {
            GET: async (ctx) => new Response(`hello ${ctx.params.name}`),
            POST: async () => new Response("posted"),
          },
        });
      },
    };
    const errors: unknown[] = [];
    const handler = createRouter(routerDeps(errors), lazyRoutesOf(group, routerDeps(errors)));
    assert.equal(loads, 0, "nothing loads before a request");
    assert.equal((await handler(get("/accounts/hello"))).status, 500);
    assert.equal(errors.length, 1);
    fail = false;
    assert.equal(await (await handler(get("/accounts/hello/ann"))).text(), "hello ann");
    assert.equal(await (await handler(get("/accounts/hello"))).text(), "hello");
    assert.equal(await (await handler(get("/accounts/hello/bo", { method: "POST" }))).text(), "posted");
    assert.equal(loads, 2, "loaded once after the failure, then kept");
    // A method the group does not list is not served.
    assert.equal((await handler(get("/accounts/hello", { method: "POST" }))).status, 405);
  });

  it("bundlers' twin (route-groups.browser.ts) has the same groups and builders, imported statically", async () => {
    assert.deepEqual(Object.keys(bundledGroups).sort(), Object.keys(routeGroups).sort());
    for (const [name, group] of Object.entries(routeGroups)) {
      const twin = bundledGroups[name as keyof typeof routeGroups];
      assert.equal(twin.paths, group.paths, name);
      assert.equal(await twin.load(), await group.load(), name);
    }
  });

  it("the route table is known before any group loads", () => {
    const warrant = createWarrant({ ...options, storage: createStorage() });
    const table = routeTable(warrant.config)!;
    for (const group of Object.values(routeGroups)) {
      for (const [path, methods] of Object.entries(group.paths)) assert.deepEqual(table[path], methods);
    }
  });
});
