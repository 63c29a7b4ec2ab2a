/**
 * @module
 * Other Node majors for the packaging tests, from the npm registry: the `node-<platform>-<arch>` packages
 * hold Node's own binary (no install script), installed once into node_modules/.cache/.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** The path of a `node` binary of that major, installed on first use. */
export function nodeBinary(major: number): string {
  const prefix = join(root, "node_modules/.cache/warrant-node", String(major));
  const name = `node-${process.platform}-${process.arch}`;
  const bin = join(prefix, "node_modules", name, "bin/node");
  if (!existsSync(bin)) {
    const npm = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        prefix,
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        `${name}@${major}`,
      ],
      { encoding: "utf8" },
    );
    if (npm.status !== 0 || !existsSync(bin))
      throw new Error(`could not install ${name}@${major}:\n${npm.stdout}${npm.stderr}`);
  }
  return bin;
}
