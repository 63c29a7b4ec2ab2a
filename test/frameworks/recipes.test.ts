/**
 * The README's "Frameworks" recipes, as a reader copies them: every block there tagged with a file name
 * is written to test-output/, its `@warrant/cognito` imports pointed at this repository's sources and
 * the shared `warrant` import at the README's own warrant.ts, then type-checked under strict tsc and run
 * against cognito-local (SRP through the test responder):
 *
 * - Hono: the real package; the app's `fetch` gets the requests.
 * - Express: the real Express 5, the snippet run as a program on a real port.
 * - Next.js, SvelteKit, Astro, React Router: not installed (see the README); their route files are
 *   called with Web Requests the way the framework calls them, and the framework's own helpers
 *   (`headers()`, `redirect()`, generated route types) are the FAKE stand-ins in ./fakes/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { renderToString } from "preact-render-to-string";
import { startServer } from "../conformance/servers.ts";
import { freePort } from "../support/cognito-local.ts";
import { createEnv, type Env, email, PASSWORD, SECRET } from "../support/setup.ts";
import { attachSrpResponder } from "../support/srp-responder.ts";
import { typecheckFiles } from "../support/tsc.ts";
import { fakeAstro } from "./fakes/fake-astro.ts";
import { FakeNextRedirect, setRequestHeaders } from "./fakes/fake-next.ts";
import { FakeKitRedirect } from "./fakes/fake-sveltekit.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fakes = join(root, "test/frameworks/fakes");
const out = join(root, `test-output/recipes-${process.pid}`);
const ORIGIN = "http://localhost:3000";

/** The README's Frameworks section, and its blocks tagged with a file name. */
const readme = readFileSync(join(root, "README.md"), "utf8");
const frameworks = readme.slice(readme.indexOf("\n## Frameworks\n"), readme.indexOf("\n## Options\n"));
const blocks = new Map(
  [...frameworks.matchAll(/^```(\w+) title=(\S+)\n([\s\S]*?)^```$/gm)].map((m) => [m[2]!, m[3]!]),
);

/** Where an import in a recipe resolves in this repository (or stays as it is: hono, express, preact). */
function target(specifier: string): string {
  if (specifier === "@warrant/cognito") return join(root, "src/mod.ts");
  if (specifier.startsWith("@warrant/cognito/adapters/"))
    return join(root, `${specifier.slice("@warrant/cognito/".length)}.ts`);
  if (/(^|\/)warrant(\.ts)?$/.test(specifier)) return join(out, "warrant.ts");
  if (specifier === "next/headers" || specifier === "next/navigation") return join(fakes, "fake-next.ts");
  if (specifier === "@sveltejs/kit" || specifier === "./$types") return join(fakes, "fake-sveltekit.ts");
  if (specifier === "astro") return join(fakes, "fake-astro.ts");
  if (specifier === "react-router") return join(fakes, "fake-react-router.ts");
  const types = /^\.\/\+types\/(.+)$/.exec(specifier);
  if (types) return join(out, "app/routes/+types", `${types[1]}.ts`);
  return specifier;
}

const rewrite = (code: string) =>
  code.replace(/(from\s+)"([^"]+)"/g, (_all, from: string, spec: string) => `${from}"${target(spec)}"`);

function write(file: string, code: string): string {
  const path = join(out, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, code);
  return path;
}

/** React Router's typegen output for a route module, reduced to what the recipes use (FAKE). */
function routeTypes(route: string) {
  write(
    `app/routes/+types/${route}.ts`,
    [
      `import type { Args } from "${join(fakes, "fake-react-router.ts")}";`,
      `import type * as Module from "../${route}.${route === "dashboard" ? "tsx" : "ts"}";`,
      "export namespace Route {",
      "  export type LoaderArgs = Args;",
      "  export type ActionArgs = Args;",
      "  export type ComponentProps = {",
      `    loaderData: typeof Module extends { loader: (...a: never[]) => infer R } ? Exclude<Awaited<R>, Response> : never;`,
      "  };",
      "}",
      "",
    ].join("\n"),
  );
}

/** The Astro page's frontmatter as a module: its imports, then its code as a function of `Astro`. */
function astroModule(source: string): { module: string; template: string } {
  const [, frontmatter, template] = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(source)!;
  const lines = frontmatter!.split("\n");
  const imports = lines.filter((l) => l.startsWith("import "));
  const body = lines.filter((l) => !l.startsWith("import ") && !l.startsWith("export "));
  return {
    module: `${imports.join("\n")}\nexport async function frontmatter(Astro: any) {\n${body.join("\n")}\nreturn { session };\n}\n`,
    template: template!,
  };
}

const importRecipe = (file: string) => import(pathToFileURL(join(out, file)).href);

/** A JSON sign-in through a recipe's account route; the session cookie. */
async function signIn(handle: (request: Request) => Promise<Response>, username: string, origin = ORIGIN) {
  const res = await handle(
    new Request(`${origin}/accounts/login`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", origin },
      body: JSON.stringify({ username, password: PASSWORD }),
    }),
  );
  assert.equal(res.status, 200, await res.clone().text());
  await res.arrayBuffer();
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith("warrant="))!
    .split(";")[0]!;
}

const page = (path: string, cookie?: string) =>
  new Request(`${ORIGIN}${path}`, { headers: cookie ? { cookie } : {} });

describe("the README's framework recipes", () => {
  let env: Env;
  let username: string;
  const saved = { ...process.env };

  before(async () => {
    env = await createEnv();
    const responder = attachSrpResponder(env.front, { userPoolId: env.pool.userPoolId });
    username = email("recipes");
    await env.pool.createUser({ email: username, password: PASSWORD });
    await responder.addUser(username, PASSWORD);
    Object.assign(process.env, {
      COGNITO_USER_POOL_ID: env.pool.userPoolId,
      COGNITO_CLIENT_ID: env.pool.clientId,
      COGNITO_ENDPOINT: env.front.endpoint,
      WARRANT_SECRET: SECRET,
      ORIGIN,
    });
    rmSync(out, { recursive: true, force: true });
    for (const [file, code] of blocks) {
      if (file.endsWith(".astro")) {
        const astro = astroModule(rewrite(code));
        write(file.replace(/\.astro$/, ".astro.ts"), astro.module);
        write(file, code);
      } else {
        // JSX renders with Preact (React is not installed); esbuild and tsc read the pragma.
        write(
          file,
          `${file.endsWith(".tsx") ? "/** @jsxRuntime automatic @jsxImportSource preact */\n" : ""}${rewrite(code)}`,
        );
      }
    }
    routeTypes("accounts.$");
    routeTypes("dashboard");
  });
  after(async () => {
    process.env = saved;
    await env?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("has a tagged block for the warrant, Hono, Express and a route plus a protected page per framework", () => {
    assert.deepEqual(
      [...blocks.keys()].sort(),
      [
        "app/accounts/[...path]/route.ts",
        "app/dashboard/page.tsx",
        "app/routes/accounts.$.ts",
        "app/routes/dashboard.tsx",
        "express.ts",
        "hono.ts",
        "src/pages/accounts/[...path].ts",
        "src/pages/dashboard.astro",
        "src/routes/accounts/[...path]/+server.ts",
        "src/routes/dashboard/+page.server.ts",
        "warrant.ts",
      ].sort(),
    );
  });

  it("type-checks every TypeScript recipe under strict tsc", () => {
    const files = [...blocks.keys()].map((f) =>
      f.endsWith(".astro") ? f.replace(/\.astro$/, ".astro.ts") : f,
    );
    const tsc = typecheckFiles(out, files, {
      module: "preserve",
      moduleResolution: "bundler",
      jsx: "react-jsx",
      jsxImportSource: "preact",
      lib: ["es2023", "dom", "dom.iterable"],
      typeRoots: [join(root, "node_modules/@types")],
      types: ["node"],
    });
    assert.ok(tsc.ok, tsc.output);
  });

  it("Hono (real): account pages under basePath, c.var.user on the app's routes, requireUser, the app's JSON body", async () => {
    const app = (await importRecipe("hono.ts")).default as { fetch(r: Request): Promise<Response> };
    const handle = async (r: Request) => app.fetch(r);
    assert.equal((await app.fetch(page("/accounts/login"))).status, 200);
    assert.equal(await (await app.fetch(page("/"))).text(), "Hello stranger");
    const anonymous = await app.fetch(page("/dashboard"));
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/accounts/login?next=%2Fdashboard");
    const cookie = await signIn(handle, username);
    const dashboard = await app.fetch(page("/dashboard", cookie));
    assert.match(await dashboard.text(), /^Dashboard of \S+/);
    const order = await app.fetch(
      new Request(`${ORIGIN}/orders`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ item: "tea" }),
      }),
    );
    assert.equal(order.status, 201);
    assert.equal(((await order.json()) as { item: string }).item, "tea");
  });

  it("Express (real Express 5, the snippet as a program): sign in, req.warrant, requireUser, express.json() after it", async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const server = await startServer(
      "the Express recipe",
      process.execPath,
      ["--import", "tsx", join(out, "express.ts")],
      {
        port,
        env: { ...process.env, ORIGIN: origin },
      },
    );
    try {
      const anonymous = await fetch(`${origin}/dashboard`, { redirect: "manual" });
      assert.equal(anonymous.status, 303);
      await anonymous.arrayBuffer();
      const cookie = await signIn((r) => fetch(r), username, origin);
      assert.match(await (await fetch(`${origin}/`, { headers: { cookie } })).text(), /^Hello \S+/);
      assert.match(
        await (await fetch(`${origin}/dashboard`, { headers: { cookie } })).text(),
        /^Dashboard of /,
      );
      const order = await fetch(`${origin}/orders`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify({ item: "tea" }),
      });
      assert.equal(order.status, 201);
      assert.equal(((await order.json()) as { item: string }).item, "tea");
    } finally {
      await server.stop();
    }
  });

  it("Next.js (FAKE headers/redirect): the catch-all route handler signs in, the page redirects or renders the user", async () => {
    const route = await importRecipe("app/accounts/[...path]/route.ts");
    const Dashboard = (await importRecipe("app/dashboard/page.tsx")).default as () => Promise<unknown>;
    assert.equal(route.POST, route.GET);
    assert.equal((await route.GET(page("/accounts/login"))).status, 200);
    setRequestHeaders(new Headers());
    await assert.rejects(
      Dashboard(),
      (e) => e instanceof FakeNextRedirect && e.url === "/accounts/login?next=%2Fdashboard",
    );
    const cookie = await signIn(route.POST, username);
    setRequestHeaders(new Headers({ cookie }));
    const html = renderToString((await Dashboard()) as never);
    assert.match(html, /^<p>Hello \S+<\/p>$/);
  });

  it("SvelteKit (FAKE redirect and $types): fallback answers every method, the load redirects or returns the user", async () => {
    const { fallback } = await importRecipe("src/routes/accounts/[...path]/+server.ts");
    const { load } = await importRecipe("src/routes/dashboard/+page.server.ts");
    const event = (request: Request) => ({ request, url: new URL(request.url), params: {} });
    assert.equal((await fallback(event(page("/accounts/login")))).status, 200);
    await assert.rejects(
      load(event(page("/dashboard?tab=1"))),
      (e) =>
        e instanceof FakeKitRedirect &&
        e.status === 303 &&
        e.location === "/accounts/login?next=%2Fdashboard%3Ftab%3D1",
    );
    const cookie = await signIn((r) => fallback(event(r)), username);
    const data = await load(event(page("/dashboard", cookie)));
    assert.match(data.username, /\S/);
  });

  it("Astro (FAKE Astro global): ALL answers the account routes, the page's frontmatter redirects or finds the user", async () => {
    const { ALL, prerender } = await importRecipe("src/pages/accounts/[...path].ts");
    assert.equal(prerender, false);
    const { frontmatter } = await importRecipe("src/pages/dashboard.astro.ts");
    const context = (request: Request) => ({ request, url: new URL(request.url), params: {} });
    assert.equal((await ALL(context(page("/accounts/login")))).status, 200);
    const anonymous = (await frontmatter(fakeAstro(page("/dashboard")))) as Response;
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get("location"), "/accounts/login?next=%2Fdashboard");
    const cookie = await signIn((r) => ALL(context(r)), username);
    const { session } = await frontmatter(fakeAstro(page("/dashboard", cookie)));
    assert.match(session.user.username, /\S/);
    assert.match(blocks.get("src/pages/dashboard.astro")!, /\{session\.user\.username\}/);
  });

  it("React Router (FAKE redirect and +types): the resource route signs in, the loader redirects or returns the user", async () => {
    const resource = await importRecipe("app/routes/accounts.$.ts");
    const dashboard = await importRecipe("app/routes/dashboard.tsx");
    const args = (request: Request) => ({ request, params: {}, context: {} });
    assert.equal((await resource.loader(args(page("/accounts/login")))).status, 200);
    await assert.rejects(dashboard.loader(args(page("/dashboard"))), (e) => {
      assert.ok(e instanceof Response);
      assert.equal(e.status, 302);
      assert.equal(e.headers.get("location"), "/accounts/login?next=%2Fdashboard");
      return true;
    });
    const cookie = await signIn((r) => resource.action(args(r)), username);
    const loaderData = await dashboard.loader(args(page("/dashboard", cookie)));
    assert.match(renderToString(dashboard.default({ loaderData })), /^<p>Hello \S+<\/p>$/);
  });
});
