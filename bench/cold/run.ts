/**
 * @module
 * Cold start (part of `npm run bench`): what a fresh isolate or process pays before its first answer.
 *
 * workerd: each Worker is bundled as wrangler would (scripts/worker-bundle.ts, minified), then started in
 * a fresh workerd (miniflare) and sent one request; the figure is the CPU time workerd spent from its
 * start to that answer (the sum over its threads, from /proc/<pid>/task/<tid>/schedstat, in ns), minus
 * that of an empty Worker started just before or after (the pairs alternate order). CPU time, not wall
 * time: on a shared machine wall time mostly measures the neighbours. The Workers: the demo
 * (examples/worker.ts, first request `/`: no session, 303 to the login page), the sessions-only Worker
 * (examples/sessions-worker.ts, `/`), and Auth.js with its Cognito provider (bench/cold/authjs.worker.ts,
 * `/auth/session` without a cookie).
 *
 * Module evaluation: a fresh process imports the library's entry (Node: the built dist/node/src/mod.js, what
 * npm installs resolve to under the `node` condition; Bun and Deno: src/mod.ts, what JSR serves) and reports the time of that `import()`,
 * beside `@auth/core` and an empty module in the same alternation.
 *
 *   npx tsx bench/cold/run.ts            (needs `npm run build` for Node's figure; `npm run bench` does it)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Plugin } from "esbuild";
import { Miniflare } from "miniflare";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const rounds = Number(process.env.COLD_ROUNDS ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU ms of the workerd processes this process started (all their threads). */
function workerdCpuMs(): number {
  let ns = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue;
    }
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent !== process.pid || !stat.includes("(workerd)")) continue;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
      } catch {}
    }
  }
  return ns / 1e6;
}

/**
 * The demo with the Cognito layer replaced by a stand-in that throws: the same Worker without the AWS SDK's
 * bytes. Not a Worker anyone deploys (it cannot log in); it shows how much of the demo's start is the SDK,
 * which workerd parses whole although the first request never runs it.
 */
const withoutSdk: Plugin = {
  name: "cold-without-sdk",
  setup(b) {
    b.onResolve({ filter: /\/api\.ts$/ }, (args) =>
      args.importer.endsWith("cognito/load.ts") ? { path: args.path, namespace: "cold-stub" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "cold-stub" }, () => ({
      contents:
        "export function createCognitoApi() { throw new Error('no Cognito layer in this measurement'); }",
      loader: "js",
    }));
  },
};

const workers: { name: string; entry: string; path: string; plugins?: Plugin[] }[] = [
  { name: "empty Worker", entry: "bench/cold/empty.worker.ts", path: "/" },
  { name: "demo Worker", entry: "examples/worker.ts", path: "/" },
  { name: "sessions-only Worker", entry: "examples/sessions-worker.ts", path: "/" },
  { name: "Auth.js + Cognito provider", entry: "bench/cold/authjs.worker.ts", path: "/auth/session" },
  {
    name: "demo Worker without the AWS SDK's bytes (attribution only)",
    entry: "examples/worker.ts",
    path: "/",
    plugins: [withoutSdk],
  },
];
const bindings = {
  COGNITO_USER_POOL_ID: "eu-west-1_Cold0001",
  COGNITO_CLIENT_ID: "cold",
  WARRANT_SECRET: "cold-secret-0123456789-abcdefghijklmn",
};

async function startOnce(script: string, path: string) {
  const mf = new Miniflare({
    // An explicit module list: with `script` miniflare parses the code in Node first, which would be timed.
    // (The path names the module inside workerd; nothing is written there.)
    modules: [{ type: "ESModule", path: join(root, "bench/cold/worker.mjs"), contents: script }],
    compatibilityDate: "2025-01-01",
    kvNamespaces: ["WARRANT_KV"],
    // The demo counts rate limits in Durable Objects (examples/wrangler.toml); the others ignore it.
    ...(script.includes("WarrantCounters")
      ? { durableObjects: { WARRANT_COUNTERS: "WarrantCounters" } }
      : {}),
    bindings,
  });
  try {
    await mf.ready;
    const response = await mf.dispatchFetch(`http://localhost${path}`, { redirect: "manual" });
    await response.arrayBuffer();
    if (response.status >= 500) throw new Error(`${path} answered ${response.status}`);
    return workerdCpuMs();
  } finally {
    await mf.dispose();
  }
}

process.stderr.write("cold start: bundling the Workers…\n");
const scripts = await Promise.all(
  workers.map(
    async (w) =>
      (await bundleForWorkers(join(root, w.entry), { minify: true, plugins: w.plugins ?? [] }))
        .outputFiles[0]!.text,
  ),
);
const cpu = workers.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  process.stderr.write(`cold start: workerd round ${round + 1}/${rounds}\r`);
  const order = workers.map((_, i) => i);
  if (round % 2) order.reverse();
  for (const i of order) cpu[i]!.push(await startOnce(scripts[i]!, workers[i]!.path));
}
process.stderr.write("\n");
const overEmpty = cpu.map((xs) => median(xs.map((x, round) => x - cpu[0]![round]!)));

// Module evaluation in fresh processes.
// Inside the project, so that Deno reads deno.json.
const probe = join(root, "bench/cold/import-time.mjs");
const bin = (name: string) => join(root, "node_modules/.bin", name);
const url = (path: string) => new URL(path, `file://${root}`).href;
const authjs = url("node_modules/@auth/core/index.js");
const distMod = join(root, "dist/node/src/mod.js");
const evalRuns = [
  {
    runtime: "Node",
    run: (target: string) => [process.execPath, [probe, target]] as const,
    ours: existsSync(distMod) ? url("dist/node/src/mod.js") : undefined,
    authjs,
  },
  {
    runtime: "Bun",
    run: (target: string) => [bin("bun"), [probe, target]] as const,
    ours: url("src/mod.ts"),
    authjs,
  },
  {
    runtime: "Deno",
    run: (target: string) => [bin("deno"), ["run", "-A", "--quiet", probe, target]] as const,
    ours: url("src/mod.ts"),
    // Deno resolves a package's own imports only when it is loaded as an npm: package.
    authjs: "npm:@auth/core",
  },
];
const evaluation: { runtime: string; ours?: number; authjs: number; empty: number }[] = [];
for (const { runtime, run, ours, authjs } of evalRuns) {
  process.stderr.write(`cold start: module evaluation on ${runtime}…\n`);
  const targets = [url("bench/cold/empty.mjs"), authjs, ...(ours ? [ours] : [])];
  const times = targets.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const [command, args] = run(target);
      const out = spawnSync(command, [...args], { cwd: root, encoding: "utf8" });
      if (out.status !== 0) throw new Error(`${runtime} ${target}: ${out.stderr}`);
      times[i]!.push(Number(out.stdout.trim().split("\n").pop()));
    }
  }
  evaluation.push({
    runtime,
    empty: median(times[0]!),
    authjs: median(times[1]!),
    ...(ours ? { ours: median(times[2]!) } : {}),
  });
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const ms = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(1));
const workerTable = [
  "| Worker | bundle (minified) | workerd CPU ms to the first answer, over the empty Worker |",
  "| --- | ---: | ---: |",
  ...workers
    .slice(1)
    .map((w, i) => `| ${w.name} | ${kb(scripts[i + 1]!.length)} | +${ms(overEmpty[i + 1])} |`),
].join("\n");
const evalTable = [
  "| runtime | @warrant/cognito | Auth.js (`@auth/core`) | an empty module |",
  "| --- | ---: | ---: | ---: |",
  ...evaluation.map((e) => `| ${e.runtime} | ${ms(e.ours)} | ${ms(e.authjs)} | ${ms(e.empty)} |`),
].join("\n");
const demo = overEmpty[1]!;
const auth = overEmpty[3]!;
const noSdk = overEmpty[4]!;
const nodeOurs = evaluation[0]?.ours;
const goals = [
  `demo Worker ≤ Auth.js + 10 ms in workerd: ${ms(demo)} vs ${ms(auth + 10)} → ${demo <= auth + 10 ? "met" : "not met"}`,
  `of it, the AWS SDK's bytes (parsed, never run): ${ms(demo - noSdk)} ms; the demo without them: ${ms(noSdk)} vs ${ms(auth + 10)} → ${noSdk <= auth + 10 ? "within" : "over"} the goal`,
  `module evaluation ≤ 8 ms on Node: ${ms(nodeOurs)} → ${nodeOurs !== undefined && nodeOurs <= 8 ? "met" : "not met"}`,
];
console.log(
  `\n${workerTable}\n\nmodule evaluation, median ms of \`import()\`:\n\n${evalTable}\n\n${goals.join("\n")}\n`,
);

const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
writeFileSync(
  join(root, "bench/cold/RESULTS.md"),
  `# Cold start

Command: \`npx tsx bench/cold/run.ts\` (also \`npm run bench\`) · date: ${date} · ${rounds} rounds
Machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs, shared (1-minute load average at the end: ${loadavg()[0]!.toFixed(1)})
workerd ${JSON.parse(readFileSync(join(root, "node_modules/workerd/package.json"), "utf8")).version}, ${execFileSync(process.execPath, ["--version"], { encoding: "utf8" }).trim()}, bun ${execFileSync(bin("bun"), ["--version"], { encoding: "utf8" }).trim()}, ${execFileSync(bin("deno"), ["--version"], { encoding: "utf8" }).split("\n")[0]}

How it is measured: see the comment at the top of \`bench/cold/run.ts\`. workerd figures are CPU time
(median over rounds of each start minus the empty Worker's start in the same round); module evaluation
is the median wall time of one \`import()\` in a fresh process.

${workerTable}

Module evaluation, median ms of one \`import()\` in a fresh process (Node: dist/node/, Bun and Deno: src/):

${evalTable}

${goals.map((g) => `- ${g}`).join("\n")}
`,
);
console.log("wrote bench/cold/RESULTS.md");
