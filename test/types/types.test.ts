/**
 * The type tests of test/types/ (every `.ts` there but Bun's) checked by tsc, in one run that proves both
 * halves: the files compile, so every expected type holds and every `@ts-expect-error` marks a real error
 * (tsc reports an unused one); and a copy with the directives removed has exactly one error on each line
 * they marked, so none of them is there by accident.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const here = join(root, "test/types");

it("test/types compiles, and each @ts-expect-error there marks an error of its own", () => {
  const sources = readdirSync(here).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "bun.ts",
  );
  assert.ok(sources.includes("users.ts"));
  // Under node_modules/.cache (three folders down, as test/types is two), so the copies resolve
  // packages as the originals do and reach src/ by a relative path.
  const dir = join(root, "node_modules/.cache", `warrant-type-tests-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const expected = new Map<string, number[]>();
    for (const name of sources) {
      const lines = readFileSync(join(here, name), "utf8").split("\n");
      const marked: number[] = [];
      const stripped = lines.map((line, i) => {
        if (!/^\s*\/\/ @ts-expect-error\b/.test(line))
          return line.replace(/from "\.\.\/\.\.\//g, 'from "../../../');
        marked.push(i + 2); // the line after the directive, 1-based
        return "";
      });
      expected.set(name, marked);
      writeFileSync(join(dir, name), stripped.join("\n"));
    }
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(here, "tsconfig.json"),
        include: [],
        files: [...sources.map((f) => join(here, f)), ...sources.map((f) => join(dir, f))],
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", dir, "--noEmit", "--pretty", "false"],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    const errors = [...`${tsc.stdout}${tsc.stderr}`.matchAll(/^(.+?\.ts)\((\d+),\d+\): error (TS\d+)/gm)].map(
      (m) => ({
        file: m[1]!,
        line: Number(m[2]),
        code: m[3]!,
      }),
    );
    const original = errors.filter((e) => !e.file.includes("warrant-type-tests-"));
    assert.deepEqual(original, [], `${tsc.stdout}${tsc.stderr}`);
    for (const [name, marked] of expected) {
      const lines = errors
        .filter((e) => e.file.endsWith(`warrant-type-tests-${process.pid}/${name}`))
        .map((e) => e.line);
      assert.deepEqual(
        [...new Set(lines)].sort((a, b) => a - b),
        marked,
        `errors in the stripped ${name}`,
      );
      assert.ok(marked.length > 0 || name !== "users.ts");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
