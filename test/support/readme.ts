/**
 * @module
 * The README's fenced blocks tagged `title=<file>` (```ts title=hono.ts), for tests that run or
 * type-check what a reader copies.
 */
import { readFileSync } from "node:fs";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

/** The README's fenced block tagged `title=<file>`; a missing one throws. */
export function readmeBlock(file: string): string {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const block = new RegExp(`^\`\`\`\\w+ title=${escaped}\\n([\\s\\S]*?)^\`\`\`$`, "m").exec(readme);
  if (!block) throw new Error(`README.md has no block tagged title=${file}`);
  return block[1]!;
}
