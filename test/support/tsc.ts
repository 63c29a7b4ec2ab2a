/**
 * @module
 * Strict tsc over files a test wrote (README and doc snippets, recipes): one tsconfig in `dir` with the
 * shared strict base and the test's own options (module mode, lib, types), then tsc's output.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Type-checks `files` (relative to `dir`) strictly; `{ ok, output }` with tsc's errors, one a line. */
export function typecheckFiles(
  dir: string,
  files: string[],
  options: Record<string, unknown>,
): { ok: boolean; output: string } {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "es2022",
    module: "nodenext",
    moduleResolution: "nodenext",
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    ...options,
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files }));
  const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
    encoding: "utf8",
  });
  return { ok: tsc.status === 0, output: `${tsc.stdout}${tsc.stderr}`.trim() };
}
