/**
 * @module
 * `npm run build`: the npm package's ESM + `.d.ts` in dist/, compiled by tsc from the same `.ts`
 * sources that JSR publishes as they are. dist/ is emptied first so a file deleted from src/ cannot
 * linger in a published tarball.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
rmSync(new URL("../dist/", import.meta.url), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [fileURLToPath(import.meta.resolve("typescript/bin/tsc")), "-p", "tsconfig.build.json"],
  { cwd: root, stdio: "inherit" },
);
process.exit(tsc.status ?? 1);
