/**
 * The package as a user installs it: `npm pack` of a clean build, installed into a fresh project, where
 * the README's Node and Bun snippets are type-checked against the packed `.d.ts` and run; and a Deno
 * project that imports the package through its deno.json the way a JSR user would (`jsr:` linked to the
 * local copy, so nothing is fetched from jsr.io).
 *
 * The snippets are the README's own fenced blocks tagged ```ts title=node.ts, ```ts title=bun.ts,
 * ```ts title=deno.ts and ```json title=deno.json: what a reader copies is what runs here.
 *
 * The package is also loaded with import() and with require() (the `default` export condition; Node
 * ^20.19 and >=22.12 load ESM through require), on this Node and on Node 22 and 24 from the npm registry,
 * which also run the Node snippet with their own type stripping (no tsx).
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { copyPackage, type PackageCopy, sh } from "../../scripts/check-package.ts";
import { startServer } from "../conformance/servers.ts";
import { nodeBinary } from "../support/node-runtimes.ts";
import { SECRET } from "../support/setup.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** The README's fenced block tagged `title=<file>`; a missing one fails the test. */
export function snippet(file: string): { text: string; from: string } {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const block = new RegExp(`^\`\`\`\\w+ title=${escaped}\\n([\\s\\S]*?)^\`\`\`$`, "m").exec(
    readFileSync(join(root, "README.md"), "utf8"),
  );
  if (!block) throw new Error(`README.md has no block tagged title=${file}`);
  return { text: block[1]!, from: "README.md" };
}

/** Loads the package both ways and serves the login page from a warrant, without Cognito. */
const smoke = `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const esm = await import("@warrant/cognito");
const cjs = require("@warrant/cognito");
const { modPow } = require("@warrant/cognito/adapters/node");
const warrant = esm.createWarrant({ userPoolId: "eu-west-1_Smoke", clientId: "smoke", secret: "x".repeat(32), modPow, origins: ["http://localhost"] });
const res = await warrant.handler(new Request("http://localhost/accounts/login"));
console.log(JSON.stringify({ node: process.version, same: esm.createWarrant === cjs.createWarrant, status: res.status, csrf: /name="csrf"/.test(await res.text()) }));
`;

/** Runs the smoke scripts on a Node binary; what they printed. */
function smokeOn(node: string, project: string) {
  const out = sh(project, node, ["smoke.mjs"]);
  const line = out.split("\n").find((l) => l.startsWith("{"))!;
  const cjs = sh(project, node, ["smoke.cjs"]);
  return { ...JSON.parse(line), ...JSON.parse(cjs.split("\n").find((l) => l.startsWith("{"))!) };
}

const env = {
  COGNITO_USER_POOL_ID: "eu-west-1_Consumer",
  COGNITO_CLIENT_ID: "consumer",
  WARRANT_SECRET: SECRET,
};

/** What every snippet's server must do without reaching Cognito. */
async function assertServes(url: string) {
  const login = await fetch(`${url}/accounts/login`);
  assert.equal(login.status, 200);
  assert.match(await login.text(), /name="csrf"/);
  const session = await fetch(`${url}/accounts/session`, { headers: { accept: "application/json" } });
  assert.equal(session.status, 401);
  await session.arrayBuffer();
}

describe("the packed package in a fresh project", () => {
  let copy: PackageCopy;
  let project: string;
  let denoProject: string;

  before(() => {
    copy = copyPackage();
    project = mkdtempSync(join(tmpdir(), "warrant-consumer-"));
    denoProject = mkdtempSync(join(tmpdir(), "warrant-consumer-deno-"));
    sh(copy.dir, process.execPath, ["--import", "tsx", "scripts/build.ts"]);
    sh(copy.dir, "npm", ["pack", "--ignore-scripts", "--pack-destination", project]);
    const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(
      join(project, "package.json"),
      JSON.stringify({ name: "consumer", private: true, type: "module" }),
    );
    // From npm's cache when it has the dependencies; the registry otherwise.
    sh(project, "npm", [
      "install",
      `./${tarball}`,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
    ]);
    for (const file of ["node.ts", "bun.ts"]) writeFileSync(join(project, file), snippet(file).text);
    writeFileSync(join(project, "smoke.mjs"), smoke);
    writeFileSync(
      join(project, "smoke.cjs"),
      'const { createWarrant } = require("@warrant/cognito");\nconst { toNodeListener } = require("@warrant/cognito/adapters/node");\nconsole.log(JSON.stringify({ cjs: typeof createWarrant, listener: typeof toNodeListener }));\n',
    );
  });
  after(() => {
    copy?.remove();
    for (const dir of [project, denoProject]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("installs from the tarball with its dependencies, and nothing of the repository", () => {
    const pkg = JSON.parse(readFileSync(join(project, "node_modules/@warrant/cognito/package.json"), "utf8"));
    assert.equal(pkg.name, "@warrant/cognito");
    assert.ok(existsSync(join(project, "node_modules/@aws-sdk/client-cognito-identity-provider")));
    assert.ok(!existsSync(join(project, "node_modules/@warrant/cognito/test")));
  });

  it(`type-checks the Node snippet (${snippet("node.ts").from}) against the packed .d.ts`, () => {
    // The user's own @types/node; only the package comes from the tarball.
    sh(project, process.execPath, [
      join(root, "node_modules/typescript/bin/tsc"),
      ...["--noEmit", "--strict", "--skipLibCheck", "--target", "es2022"],
      ...["--module", "nodenext", "--moduleResolution", "nodenext"],
      ...["--typeRoots", join(root, "node_modules/@types"), "--types", "node", "node.ts"],
    ]);
  });

  it(`type-checks the Bun snippet (${snippet("bun.ts").from}) under bun-types`, () => {
    sh(project, process.execPath, [
      join(root, "node_modules/typescript/bin/tsc"),
      ...["--noEmit", "--strict", "--skipLibCheck", "--target", "es2022"],
      ...["--module", "nodenext", "--moduleResolution", "nodenext"],
      ...["--typeRoots", join(root, "node_modules"), "--types", "bun-types", "bun.ts"],
    ]);
  });

  it(`runs the Node snippet (${snippet("node.ts").from})`, async () => {
    // tsx only strips the types (Node 20 cannot); the imports resolve from the project's node_modules.
    const tsx = import.meta.resolve("tsx");
    const server = await startServer("the Node snippet", process.execPath, ["--import", tsx, "node.ts"], {
      cwd: project,
      env,
    });
    try {
      await assertServes(server.url);
      const home = await fetch(`${server.url}/`, { redirect: "manual" });
      assert.equal(home.status, 303);
      assert.equal(home.headers.get("location"), "/accounts/login?next=%2F");
      assert.match(server.output(), /Listening on http:\/\//);
    } finally {
      await server.stop();
    }
  });

  it("loads with import() and require() on this Node (the `default` condition)", () => {
    const result = smokeOn(process.execPath, project);
    assert.deepEqual(result, {
      node: process.version,
      same: true,
      status: 200,
      csrf: true,
      cjs: "function",
      listener: "function",
    });
  });

  for (const major of [22, 24]) {
    it(`runs on Node ${major} (from the npm registry): import(), require(), and the Node snippet with Node's own type stripping`, async () => {
      const node = nodeBinary(major);
      const result = smokeOn(node, project);
      assert.match(result.node, new RegExp(`^v${major}\\.`));
      assert.deepEqual(
        { ...result, node: undefined },
        { node: undefined, same: true, status: 200, csrf: true, cjs: "function", listener: "function" },
      );
      const server = await startServer(`the Node snippet on Node ${major}`, node, ["node.ts"], {
        cwd: project,
        env,
      });
      try {
        await assertServes(server.url);
        const home = await fetch(`${server.url}/`, { redirect: "manual" });
        assert.equal(home.status, 303);
        await home.arrayBuffer();
      } finally {
        await server.stop();
      }
    });
  }

  it(`runs the Bun snippet (${snippet("bun.ts").from})`, async () => {
    const server = await startServer("the Bun snippet", bin("bun"), ["bun.ts"], { cwd: project, env });
    try {
      await assertServes(server.url);
    } finally {
      await server.stop();
    }
  });

  it(`runs the Deno snippet (${snippet("deno.ts").from}) through a deno.json import map, as from JSR`, async () => {
    // jsr:@warrant/cognito resolves to the clean copy through "links"; its npm dependencies come from
    // Deno's cache (or the registry).
    const config = JSON.parse(snippet("deno.json").text);
    writeFileSync(join(denoProject, "deno.json"), JSON.stringify({ ...config, links: [copy.dir] }));
    writeFileSync(join(denoProject, "main.ts"), snippet("deno.ts").text);
    sh(denoProject, bin("deno"), ["check", "--quiet", "main.ts"]);
    const server = await startServer(
      "the Deno snippet",
      bin("deno"),
      ["run", "-A", "--unstable-kv", "main.ts"],
      {
        cwd: denoProject,
        env,
      },
    );
    try {
      await assertServes(server.url);
    } finally {
      await server.stop();
    }
  });
});
