/**
 * @module
 * The test runner behind `npm test`: starts one cognito-local for the whole run and runs the tests on
 * every runtime against it, ending with one summary line: `N passed, N failed`.
 *
 *   npm test                          node (every file), workers, then bun and deno (unit, integration, contract),
 *                                     then the HTTP conformance suite against the demo on all four
 *   npm run test:node|bun|deno|workers  one runtime
 *   npm test -- test/unit             only files under a path (on every runtime that runs them)
 *   npm test -- --runtime deno test/contract
 *
 * Which files run where:
 * - `*.test.ts` run under Node (node:test through tsx, two files at a time).
 * - Files that drive workerd (under `test/workerd/`, or named `*.workerd.test.ts`) are the "workers"
 *   runtime; Node runs them, since miniflare is a Node library.
 * - Bun (`bun test`) and Deno (`deno test`) run the `*.test.ts` files under test/unit, test/integration and
 *   test/contract natively: they are written with node:test, which both provide.
 * - `*.deno.ts` files need Deno's own APIs (Deno KV) and run only under Deno.
 * - `test/conformance/<runtime>.test.ts` is the HTTP conformance suite against the demo served by that
 *   runtime. The client side is Node (node:test) for all four; the files run side by side, since each
 *   mostly waits on its server, and each gets its own summary line.
 *
 * With CI=true nothing may skip for a missing service: a skipped test fails the run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { startCognitoLocal, TEST_CODE } from "./support/cognito-local.ts";

// The AWS SDK warns once per process that Node 20 support ends in 2027; the test output does not need it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const root = fileURLToPath(new URL("../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);

type Runtime = "node" | "workers" | "bun" | "deno";
const runtimes: Runtime[] = ["node", "workers", "bun", "deno"];

function findFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...findFiles(path));
    else if (name.endsWith(".test.ts") || name.endsWith(".deno.ts")) out.push(path);
  }
  return out.sort();
}

const args = process.argv.slice(2);
const chosen: Runtime[] = [];
const paths: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--runtime") {
    const name = args[++i] as Runtime;
    if (!runtimes.includes(name)) throw new Error(`--runtime must be one of ${runtimes.join(", ")}`);
    chosen.push(name);
  } else paths.push(args[i]!);
}
const roots = paths.length ? paths.map((a) => join(root, a)) : [join(root, "test")];
const all = roots.flatMap((r) => (statSync(r).isDirectory() ? findFiles(r) : [r]));

const rel = (f: string) => relative(root, f).split(sep).join("/");
const isWorkers = (f: string) => rel(f).startsWith("test/workerd/") || f.endsWith(".workerd.test.ts");
const isDenoOnly = (f: string) => f.endsWith(".deno.ts");
const isNative = (f: string) => /^test\/(unit|integration|contract)\//.test(rel(f));
const conformanceOf = (f: string) =>
  /^test\/conformance\/(node|bun|deno|workers)\.test\.ts$/.exec(rel(f))?.[1] as Runtime | undefined;

const plan: Record<Runtime, string[]> = {
  node: all.filter((f) => !isWorkers(f) && !isDenoOnly(f) && !conformanceOf(f)),
  workers: all.filter(isWorkers),
  bun: all.filter((f) => isNative(f) && !isWorkers(f) && !isDenoOnly(f)),
  deno: all.filter((f) => isNative(f) && !isWorkers(f)),
};
const conformance = Object.fromEntries(
  runtimes.map((r) => [r, all.filter((f) => conformanceOf(f) === r)]),
) as Record<Runtime, string[]>;
const selected = chosen.length ? chosen : runtimes;

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * Runs a command with the output kept for counting and shown as it comes, or, when `echo` is false (steps
 * that run side by side), left to the caller to show in one piece.
 */
async function run(
  command: string,
  argv: string[],
  env: NodeJS.ProcessEnv,
  echo = true,
): Promise<{ code: number; out: string }> {
  const child = spawn(command, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    if (echo) stream.write(chunk);
    // Summaries come last; keep enough to find the failures listed after them.
    out = (out + chunk.toString()).slice(-2_000_000);
  };
  child.stdout.on("data", keep(process.stdout));
  child.stderr.on("data", keep(process.stderr));
  const code: number = await new Promise((resolve) => {
    child.on("error", () => resolve(127));
    child.on("exit", (c) => resolve(c ?? 1));
  });
  return { code, out };
}

const last = (text: string, pattern: RegExp) => Number([...text.matchAll(pattern)].at(-1)?.[1] ?? 0);

/** node --test with the spec reporter: `ℹ pass N` etc. (Node and the workers files). */
async function runNode(
  files: string[],
  env: NodeJS.ProcessEnv,
  show?: (out: string) => void,
): Promise<Counts> {
  const { code, out } = await run(
    process.execPath,
    ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", ...files.map(rel)],
    env,
    !show,
  );
  show?.(out);
  const counts = {
    passed: last(out, /ℹ pass (\d+)/g),
    failed: last(out, /ℹ fail (\d+)/g) + last(out, /ℹ cancelled (\d+)/g),
    skipped: last(out, /ℹ skipped (\d+)/g) + last(out, /ℹ todo (\d+)/g),
  };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/** bun test: ends with ` N pass`, ` N fail`, ` N skip`. */
async function runBun(files: string[], env: NodeJS.ProcessEnv): Promise<Counts> {
  const { code, out } = await run(bin("bun"), ["test", "--timeout=60000", ...files], env);
  const counts = {
    passed: last(out, /^\s*(\d+) pass$/gm),
    failed: last(out, /^\s*(\d+) fail$/gm),
    skipped: last(out, /^\s*(\d+) skip$/gm) + last(out, /^\s*(\d+) todo$/gm),
  };
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  return counts;
}

/**
 * deno test: node:test's describe/it become tests and steps, so its own summary counts suites too. Count
 * leaves from the JUnit report instead: a case whose name no other case extends with " > ".
 */
async function runDeno(files: string[], env: NodeJS.ProcessEnv): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), "warrant-deno-junit-"));
  const report = join(dir, "report.xml");
  try {
    // Types are checked by `npm run typecheck` (tsc) and `deno publish --dry-run`; not again here.
    const { code } = await run(
      bin("deno"),
      ["test", "-A", "--no-check", "--unstable-kv", `--junit-path=${report}`, ...files],
      env,
    );
    let xml = "";
    try {
      xml = readFileSync(report, "utf8");
    } catch {}
    const unxml = (s: string) =>
      s.replace(
        /&(lt|gt|quot|apos|amp);/g,
        (_, e) => ({ lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" })[e as "lt"],
      );
    const cases = [...xml.matchAll(/<testcase name="([^"]*)"[^>]*>([\s\S]*?)<\/testcase>/g)].map((m) => ({
      name: unxml(m[1]!),
      body: m[2]!,
    }));
    const leaves = cases.filter((c) => !cases.some((o) => o.name.startsWith(`${c.name} > `)));
    const counts = {
      passed: leaves.filter((c) => !/<(failure|error|skipped)/.test(c.body)).length,
      failed: leaves.filter((c) => /<(failure|error)/.test(c.body)).length,
      skipped: leaves.filter((c) => /<skipped/.test(c.body)).length,
    };
    if (code !== 0 && counts.failed === 0) counts.failed = 1;
    return counts;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cognito = await startCognitoLocal({ env: { CODE: TEST_CODE } });
const env = { ...process.env, WARRANT_TEST_COGNITO: cognito.endpoint };
const results: { runtime: string; counts: Counts; seconds: number }[] = [];
try {
  // Node and the workerd files share one node --test run, so its two slots stay busy.
  const nodeFiles = [
    ...(selected.includes("node") ? plan.node : []),
    ...(selected.includes("workers") ? plan.workers : []),
  ];
  const label = [selected.includes("node") && "node", selected.includes("workers") && "workers"]
    .filter(Boolean)
    .join(" + ");
  const steps: [string, () => Promise<Counts>, number][] = [
    [label, () => runNode(nodeFiles, env), nodeFiles.length],
    ["bun", () => runBun(plan.bun, env), selected.includes("bun") ? plan.bun.length : 0],
    ["deno", () => runDeno(plan.deno, env), selected.includes("deno") ? plan.deno.length : 0],
  ];
  for (const [runtime, step, files] of steps) {
    if (files === 0) continue;
    console.log(`\n── ${runtime}: ${files} file${files === 1 ? "" : "s"} ──`);
    const started = performance.now();
    const counts = await step();
    results.push({ runtime, counts, seconds: (performance.now() - started) / 1000 });
  }
  const suites = selected.filter((r) => conformance[r].length);
  if (suites.length) {
    console.log(`\n── conformance over HTTP: the demo on ${suites.join(", ")} ──`);
    const started = performance.now();
    const done = await Promise.all(
      suites.map(async (runtime) => {
        const counts = await runNode(conformance[runtime], env, (out) =>
          process.stdout.write(`\n── conformance: ${runtime} ──\n${out}`),
        );
        return { runtime: `conformance ${runtime}`, counts, seconds: (performance.now() - started) / 1000 };
      }),
    );
    results.push(...done);
  }
} finally {
  await cognito.stop();
}

console.log("");
for (const { runtime, counts, seconds } of results) {
  console.log(
    `${runtime.padEnd(20)} ${counts.passed} passed, ${counts.failed} failed${counts.skipped ? `, ${counts.skipped} skipped` : ""} (${seconds.toFixed(1)} s)`,
  );
}
const total = results.reduce(
  (t, { counts }) => ({
    passed: t.passed + counts.passed,
    failed: t.failed + counts.failed,
    skipped: t.skipped + counts.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log(
  `\n${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`,
);
if (process.env.CI === "true" && total.skipped > 0) {
  console.error("CI=true: a test skipped; nothing may skip in CI.");
  process.exit(1);
}
if (results.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
process.exit(total.failed > 0 ? 1 : 0);
