/**
 * @module
 * SRP benchmark: client CPU time per Cognito SRP login on Node, Bun, Deno and workerd, side by side
 * with amazon-cognito-identity-js, a plain BigInt square-and-multiply baseline and (Node) OpenSSL.
 *
 *   npx tsx bench/srp/run.ts            prints the table and writes bench/srp/RESULTS.md
 *
 * Method. One login = draw a, compute A and its hex, then answer a fixed PASSWORD_VERIFIER challenge
 * (the first known-answer vector's B, salt and secret block): u, x, S, HKDF, timestamp, signature. No
 * network. Before timing, every implementation must reproduce the vector's signature with the vector's
 * a. Node, Bun and Deno run bench/srp/measure.ts one after another (never in parallel) and time each
 * login with performance.now(): a login is synchronous BigInt work, so its wall time is its CPU time;
 * the process CPU time (all threads) per login is reported next to it as a check. workerd runs
 * bench/srp/worker.ts (bundled with esbuild) in miniflare; its clock has a 1 ms grain, so inside the
 * isolate logins are timed in batches of 10 (ours) and the median batch mean is reported; as a cross
 * check, single logins are also timed from outside (request with one login minus an empty request).
 * "first" is the first login of a fresh process or isolate: JIT warm-up plus the fixed-base table.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import type { Sample } from "./impls.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);

interface RuntimeResult {
  runtime: string;
  version: string;
  cold: number;
  samples: Sample[];
  outside?: number;
}

function runIn(runtime: string, command: string, args: string[]): RuntimeResult {
  process.stderr.write(`srp bench: ${runtime}…\n`);
  const out = spawnSync(command, args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`${runtime} failed:\n${out.stderr}\n${out.stdout}`);
  const last = out.stdout.trim().split("\n").pop()!;
  const { cold, samples } = JSON.parse(last);
  return { runtime, version: "", cold, samples };
}

const version = (command: string, args: string[]) =>
  execFileSync(command, args, { encoding: "utf8" }).trim().split("\n")[0]!;

const results: RuntimeResult[] = [];
results.push({
  ...runIn("Node", process.execPath, ["--import", "tsx", "bench/srp/measure.ts", "--openssl"]),
  version: `node ${process.version}`,
});
results.push({
  ...runIn("Bun", bin("bun"), ["bench/srp/measure.ts"]),
  version: `bun ${version(bin("bun"), ["--version"])}`,
});
results.push({
  ...runIn("Deno", bin("deno"), ["run", "-A", "bench/srp/measure.ts"]),
  version: version(bin("deno"), ["--version"]),
});

process.stderr.write("srp bench: workerd…\n");
const bundle = await build({
  entryPoints: [join(root, "bench/srp/worker.ts")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  // amazon-cognito-identity-js looks for `global.crypto`, and only then for require("crypto").
  define: { global: "globalThis" },
  external: ["crypto"],
  logLevel: "error",
});
const script = bundle.outputFiles[0]!.text;
const workerd = async () => new Miniflare({ modules: true, compatibilityDate: "2025-01-01", script });
{
  const mf = await workerd();
  const cold = (await (await mf.dispatchFetch("http://bench/cold")).json()) as { cold: number };
  const { samples } = (await (await mf.dispatchFetch("http://bench/measure")).json()) as {
    samples: Sample[];
  };
  const time = async (path: string) => {
    const start = performance.now();
    await (await mf.dispatchFetch(`http://bench${path}`)).arrayBuffer();
    return performance.now() - start;
  };
  const one: number[] = [];
  const none: number[] = [];
  for (let i = 0; i < 150; i++) {
    none.push(await time("/none"));
    one.push(await time("/one"));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  await mf.dispose();
  const workerdVersion = JSON.parse(
    readFileSync(join(root, "node_modules/workerd/package.json"), "utf8"),
  ).version;
  results.push({
    runtime: "workerd",
    version: `workerd ${workerdVersion} (miniflare)`,
    cold: cold.cold,
    samples,
    outside: median(one) - median(none),
  });
}

const names = [
  ["warrant", "@warrant/cognito"],
  ["BigInt square-and-multiply", "BigInt square-and-multiply"],
  ["amazon-cognito-identity-js", "amazon-cognito-identity-js"],
  ["OpenSSL modexp (node:crypto)", "OpenSSL (node:crypto)"],
] as const;
const ms = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(2));
const header = [
  "runtime",
  ...names.map(([, label]) => `${label} median ms`),
  "AWS ÷ ours",
  "ours: first login ms",
];
const rows = results.map((r) => {
  const get = (impl: string) => r.samples.find((s) => s.impl === impl)?.median;
  const ours = get("warrant")!;
  const awsMs = get("amazon-cognito-identity-js")!;
  return [r.runtime, ...names.map(([impl]) => ms(get(impl))), `${(awsMs / ours).toFixed(0)}×`, ms(r.cold)];
});
const table = [header, header.map(() => "---"), ...rows]
  .map((cells) => `| ${cells.join(" | ")} |`)
  .join("\n");

const detailRows = results.flatMap((r) =>
  r.samples.map(
    (s) =>
      `| ${r.runtime} | ${s.impl} | ${s.iterations} | ${ms(s.median)} | ${ms(s.p90)} | ${ms(s.cpuMean)} |`,
  ),
);
const details = [
  "| runtime | implementation | logins timed | median ms | p90 ms | process CPU ms per login |",
  "| --- | --- | --- | --- | --- | --- |",
  ...detailRows,
].join("\n");
const workerdOutside = results.find((r) => r.runtime === "workerd")?.outside;

console.log(`\n${table}\n\n${details}\n`);
if (workerdOutside !== undefined) {
  console.log(
    `workerd, one login timed from outside (median request with one login − median empty request): ${ms(workerdOutside)} ms`,
  );
}

const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const markdown = `# SRP benchmark results

Command: \`npx tsx bench/srp/run.ts\` (also \`npm run bench\`) · date: ${date} · machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs
Runtimes: ${results.map((r) => r.version).join(", ")}

Client time per SRP login (draw a, compute A, answer a fixed PASSWORD_VERIFIER challenge up to the
signature; no network), median over the logins timed. "AWS ÷ ours" is amazon-cognito-identity-js's median
over ours in the same run. "first login" is the first login of a fresh process or isolate (JIT warm-up
plus building the fixed-base table once).

${table}

${details}

workerd, one login timed from outside the isolate (median request with one login − median empty request,
150 each): ${ms(workerdOutside)} ms.

How it is measured: see the comment at the top of \`bench/srp/run.ts\`. In short: every implementation first
reproduces the known-answer signature; Node, Bun and Deno run one after another and time single logins
with \`performance.now()\` (the work is synchronous, so wall time is CPU time; the process CPU column checks
it and includes GC threads); workerd's clock has a 1 ms grain, so there logins are timed in batches of 10
(ours) inside the isolate, and cross-checked from outside. The AWS client draws a 1024-bit a (its own
choice); ours and the BigInt baseline draw 256 bits as RFC 5054 allows; OpenSSL runs the same maths as ours.
`;
writeFileSync(join(root, "bench/srp/RESULTS.md"), markdown);
console.log("wrote bench/srp/RESULTS.md");
