/**
 * @module
 * Runs the SRP benchmark in the current runtime (Node via tsx, Bun, Deno) and prints one JSON line.
 * Started by bench/srp/run.ts; `--openssl` adds the node:crypto reference (Node only).
 */
import process from "node:process";
import { aws, type Impl, measure, naive, ours, plan, type Sample } from "./impls.ts";

const clock = () => performance.now();
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// The very first login of a fresh process: JIT warm-up plus building the fixed-base table.
const coldStart = clock();
await ours.login();
const cold = clock() - coldStart;

const runs: [Impl, { warmup: number; batches: number; perBatch: number }][] = [
  [ours, plan.warrant],
  [naive, plan.naive],
  [aws, plan.aws],
];
if (process.argv.includes("--openssl")) {
  const { openssl } = await import("./openssl.ts");
  runs.push([openssl, plan.warrant]);
}
const samples: Sample[] = [];
for (const [impl, p] of runs) samples.push(await measure(impl, { ...p, clock, cpu }));
console.log(JSON.stringify({ cold, samples }));
