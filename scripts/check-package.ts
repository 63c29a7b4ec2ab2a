/**
 * @module
 * `npm run check:package`: the package as users will get it, checked on a clean copy of what publishes
 * (manifests, tsconfigs, src/, adapters/, README, LICENSE) so nothing local leaks in:
 *
 * 1. `npm pack` on a copy without dist/ runs `prepack` (`npm run build`), which emits dist/ (ESM +
 *    .d.ts), and packs the build of every export;
 * 2. `npm pack --dry-run --json` lists only dist/, src/, adapters/, README.md, LICENSE and package.json,
 *    and every `exports` target;
 * 3. publint (strict) and `attw --pack` (ESM-only profile: the package has no CommonJS entry) pass;
 * 4. `deno publish --dry-run` passes: the JSR package type-checks with no slow types.
 *
 * test/packaging/package.test.ts runs each step as a test.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isBundled } from "./bundled.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** Files and folders that make the package; everything else in the repository stays behind. */
const published = [
  "package.json",
  "deno.json",
  "jsr.json",
  "tsconfig.json",
  "tsconfig.build.json",
  "scripts/build.ts",
  "scripts/bundled.ts",
  "src",
  "adapters",
  "README.md",
  "LICENSE",
];

export interface PackageCopy {
  dir: string;
  remove(): void;
}

/** A clean copy of what publishes, with node_modules linked. */
export function copyPackage(): PackageCopy {
  const dir = mkdtempSync(join(tmpdir(), "warrant-package-"));
  for (const entry of published) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(root, "node_modules")), join(dir, "node_modules"), "dir");
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a command in `cwd`; throws with its output when it fails. */
export function sh(cwd: string, command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${output}`);
  return output;
}

const allowed = /^(dist|src|adapters)\/|^(README\.md|LICENSE|package\.json)$/;

/** The checks, in order; each throws on failure. */
export const checks: { name: string; run(dir: string): void }[] = [
  {
    name: "npm pack without dist/ builds it first (prepack: npm run build) and packs ESM and .d.ts for every export",
    run(dir) {
      rmSync(join(dir, "dist"), { recursive: true, force: true });
      // The JSON report is on stdout; npm's lifecycle banners and tsc's output are not JSON.
      const pack = spawnSync("npm", ["pack", "--dry-run", "--json"], { cwd: dir, encoding: "utf8" });
      if (pack.status !== 0)
        throw new Error(`npm pack failed (${pack.status}):\n${pack.stdout}${pack.stderr}`);
      const [report] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("[")));
      const files = new Set<string>(report.files.map((f: { path: string }) => f.path));
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      for (const [key, target] of Object.entries(pkg.exports as Record<string, unknown>)) {
        if (typeof target === "string") continue;
        for (const file of Object.values(target as Record<string, string>)) {
          if (!existsSync(join(dir, file))) throw new Error(`exports[${key}] → ${file} was not built`);
          if (!files.has(file.replace(/^\.\//, "")))
            throw new Error(`exports[${key}] → ${file} is not in the packed tarball`);
        }
      }
    },
  },
  {
    name: "npm pack holds only dist/, src/, adapters/, README.md, LICENSE and package.json",
    run(dir) {
      const [report] = JSON.parse(sh(dir, "npm", ["pack", "--dry-run", "--json", "--ignore-scripts"]));
      const files: string[] = report.files.map((f: { path: string }) => f.path);
      const stray = files.filter((f) => !allowed.test(f));
      if (stray.length) throw new Error(`unexpected files in the package: ${stray.join(", ")}`);
      for (const needed of [
        "package.json",
        "LICENSE",
        "dist/src/mod.js",
        "dist/src/mod.d.ts",
        "src/mod.ts",
      ]) {
        if (!files.includes(needed)) throw new Error(`${needed} is missing from the package`);
      }
      const tests = files.filter((f) => /\.test\.|(^|\/)test\//.test(f));
      if (tests.length) throw new Error(`tests in the package: ${tests.join(", ")}`);
    },
  },
  {
    name: 'Node\'s build of every entry is a few bundled files ("." and ./sessions at most 3, the rest 6): no module per source file, no bundled dependency left as an import',
    run(dir) {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      for (const [key, target] of Object.entries(pkg.exports as Record<string, { node?: string }>)) {
        if (typeof target !== "object" || !target.node) continue;
        // The static import graph from the entry, as Node loads it before the first line runs.
        const seen = new Set<string>();
        const bare = new Set<string>();
        const walk = (file: string) => {
          if (seen.has(file)) return;
          seen.add(file);
          const code = readFileSync(file, "utf8");
          for (const [, specifier] of code.matchAll(
            /(?:^|[;\n])\s*(?:import|export)\b[^'"]*?from\s*["']([^"']+)["']/g,
          )) {
            if (specifier!.startsWith(".")) walk(join(dirname(file), specifier!));
            else bare.add(specifier!);
          }
        };
        walk(join(dir, target.node));
        // The main entry and the sessions reader are the entry and the core's one chunk (the tsc build loads
        // some eighty files for "."); an adapter or an extension adds a chunk or two of its own.
        const bound = key === "." || key === "./sessions" ? 3 : 6;
        if (seen.size > bound)
          throw new Error(`exports[${key}] (node) loads ${seen.size} files: ${[...seen].join(", ")}`);
        const leaked = [...bare].filter(isBundled);
        if (leaked.length)
          throw new Error(`exports[${key}] (node) imports bundled packages: ${leaked.join(", ")}`);
      }
    },
  },
  {
    name: "publint --strict passes",
    run(dir) {
      sh(dir, bin("publint"), ["--strict"]);
    },
  },
  {
    name: "attw --pack passes (ESM-only profile)",
    run(dir) {
      sh(dir, bin("attw"), ["--pack", ".", "--profile", "esm-only", "--format", "ascii"]);
    },
  },
  {
    name: "deno publish --dry-run passes (JSR: type-checks, no slow types)",
    run(dir) {
      sh(dir, bin("deno"), ["publish", "--dry-run", "--allow-dirty"]);
    },
  },
];

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("check-package.ts")) {
  const copy = copyPackage();
  let failed = 0;
  try {
    for (const check of checks) {
      try {
        check.run(copy.dir);
        console.log(`✔ ${check.name}`);
      } catch (error) {
        failed++;
        console.log(`✖ ${check.name}\n${(error as Error).message}`);
      }
    }
  } finally {
    copy.remove();
  }
  process.exit(failed ? 1 : 0);
}
