/**
 * @module
 * `npm run build`: the npm package's dist/, from the same `.ts` sources that JSR publishes as they are.
 *
 * - dist/node/, what the `node` export condition (Node, Bun, Deno) loads: esbuild bundles each `exports`
 *   entry (ESM, code splitting, so the entries share one copy of each module and the lazily loaded Cognito
 *   layer, verifier and route groups stay behind their `import()`s). A module graph of some eighty files
 *   costs Node its loader's work per file: one `import()` of the package took about 45 ms from tsc's
 *   file-per-module output and takes about 7 ms from two files (bench/cold/run.ts). The packages in
 *   scripts/bundled.ts are bundled and tree-shaken (their licences in dist/THIRD-PARTY-LICENSES.md); the AWS
 *   SDK clients, aws-jwt-verify, unstorage's drivers and the peers stay imports.
 * - dist/src/ and dist/adapters/, what bundlers get (`import` / `default`): tsc's file-per-module ESM, so
 *   they tree-shake it themselves and package.json's `browser` map still applies; and the `.d.ts` of both
 *   builds, with maps back to the shipped `.ts`.
 *
 * dist/ is emptied first so a file deleted from src/ cannot linger in a published tarball.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { isBundled } from "./bundled.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  exports: Record<string, string | { import?: string }>;
};
const sources = Object.values(pkg.exports)
  .map((target) => (typeof target === "string" ? target : target.import))
  .filter((target): target is string => !!target && target.startsWith("./dist/") && target.endsWith(".js"))
  .map((target) => target.replace(/^\.\/dist\//, "").replace(/\.js$/, ".ts"));

/**
 * Bare imports stay imports unless bundled. Every entry also re-exports the core's namespace (an export
 * nobody is meant to use): with every entry reaching the whole core, esbuild puts the core in one shared
 * chunk instead of one chunk per combination of entries that share a module (some twenty files, each a
 * loader round in Node).
 */
const core = join(root, "src/mod.ts");
// What the package loads with import(): esbuild counts each as an entry too, so they get the same re-export,
// or every module they share with the core would be a chunk of its own.
const lazy = ["src/cognito/api.ts", "src/cognito/verify.ts", "src/http/routes/index.ts"];
const plugin: Plugin = {
  name: "warrant-node-build",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      isBundled(args.path) ? undefined : { path: args.path, external: true },
    );
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const entry = [...sources, ...lazy].some((source) => join(root, source) === args.path);
      if (!entry || args.path === core) return undefined;
      const contents = `${readFileSync(args.path, "utf8")}\nexport * as __core from ${JSON.stringify(relative(dirname(args.path), core).replace(/^(?!\.)/, "./"))};\n`;
      return { contents, loader: "ts" };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: sources,
  outdir: join(dist, "node"),
  outbase: ".",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "es2022",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: true,
  sourcesContent: false,
  legalComments: "none",
  // Whitespace and syntax only: names stay (stack traces read), the maps lead back to the .ts.
  minifyWhitespace: true,
  minifySyntax: true,
  metafile: true,
  plugins: [plugin],
  logLevel: "error",
});

// The licences of what is bundled, beside it.
const inputs = Object.keys(result.metafile.inputs);
const packages = [
  ...new Set(inputs.flatMap((path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1] ?? [])),
].sort();
const notices = packages.map((name) => {
  const dir = join(root, "node_modules", name);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    version: string;
    license: string;
  };
  const file = ["LICENSE", "LICENSE.md", "license", "LICENSE.txt"].map((f) => join(dir, f)).find(existsSync);
  if (!file) throw new Error(`build: ${name} is bundled but ships no LICENSE file`);
  return `## ${name} ${meta.version} (${meta.license})\n\n${readFileSync(file, "utf8").trim()}\n`;
});
writeFileSync(
  join(dist, "THIRD-PARTY-LICENSES.md"),
  `# Bundled dependencies\n\ndist/ carries parts of these packages, bundled by scripts/build.ts.\n\n${notices.join("\n")}`,
);

const tsc = spawnSync(
  process.execPath,
  [fileURLToPath(import.meta.resolve("typescript/bin/tsc")), "-p", "tsconfig.build.json"],
  { cwd: root, stdio: "inherit" },
);
process.exit(tsc.status ?? 1);
