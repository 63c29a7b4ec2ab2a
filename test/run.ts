/**
 * @module
 * The test runner behind `npm test`: starts one cognito-local for the whole run, runs every test file
 * with node:test (files in parallel), and ends with one summary line: `N passed, N failed`.
 *
 *   npm test                       every suite
 *   npm test -- test/unit          only files under a path
 *
 * With CI=true nothing may skip for a missing service: test files check `requireService()`.
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { startCognitoLocal } from "./support/cognito-local.ts";

// The AWS SDK warns once per process that Node 20 support ends in 2027; the test output does not need it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const root = fileURLToPath(new URL("../", import.meta.url));

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findTests(path));
    else if (name.endsWith(".test.ts")) out.push(path);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const roots = args.length ? args.map((a) => join(root, a)) : [join(root, "test")];
const files = roots.flatMap((r) => (statSync(r).isDirectory() ? findTests(r) : [r]));

const cognito = await startCognitoLocal();
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=2",
      "--test-reporter=spec",
      ...files.map((f) => relative(root, f)),
    ],
    {
      cwd: root,
      env: { ...process.env, WARRANT_TEST_COGNITO: cognito.endpoint },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let tail = "";
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    // The spec reporter lists failures after its counts: keep enough to find them.
    tail = (tail + chunk.toString()).slice(-2_000_000);
  });
  const code: number = await new Promise((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  const count = (label: string) =>
    Number([...tail.matchAll(new RegExp(`ℹ ${label} (\\d+)`, "g"))].at(-1)?.[1] ?? 0);
  passed = count("pass");
  failed = count("fail") + count("cancelled");
  skipped = count("skipped") + count("todo");
  if (code !== 0 && failed === 0) failed = 1;
} finally {
  await cognito.stop();
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (process.env.CI === "true" && skipped > 0) {
  console.error("CI=true: a test skipped; nothing may skip in CI.");
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
