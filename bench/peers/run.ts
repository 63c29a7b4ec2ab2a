/**
 * @module
 * The peer benchmark (part of `npm run bench`): bench/peers/measure.ts under Node, Bun and Deno, one
 * runtime after another (never in parallel), each measuring ours and the peers in one process; then one
 * table per job with ratios taken within each runtime's run, written to bench/RESULTS.md with the machine.
 *
 *   npx tsx bench/peers/run.ts
 */
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);
const version = (command: string, args: string[]) =>
  execFileSync(command, args, { encoding: "utf8" }).trim().split("\n")[0]!;

const runtimes = [
  {
    name: "Node",
    command: process.execPath,
    args: ["--import", "tsx", "bench/peers/measure.ts"],
    version: `node ${process.version}`,
  },
  {
    name: "Bun",
    command: bin("bun"),
    args: ["bench/peers/measure.ts"],
    version: `bun ${version(bin("bun"), ["--version"])}`,
  },
  {
    name: "Deno",
    command: bin("deno"),
    args: ["run", "-A", "bench/peers/measure.ts"],
    version: version(bin("deno"), ["--version"]),
  },
];

const load = loadavg()[0]!.toFixed(1);
const results: { name: string; version: string; results: Record<string, number> }[] = [];
for (const runtime of runtimes) {
  process.stderr.write(`peer bench: ${runtime.name}…\n`);
  const out = spawnSync(runtime.command, runtime.args, { cwd: root, encoding: "utf8", maxBuffer: 1 << 26 });
  if (out.status !== 0) throw new Error(`${runtime.name} failed:\n${out.stderr}\n${out.stdout}`);
  results.push({ ...runtime, results: JSON.parse(out.stdout.trim().split("\n").pop()!).results });
}

/** One table: a row per implementation, a column per runtime: time, and the ratio to `ours`. */
function table(
  group: string,
  ours: string,
  unit: "µs" | "ms",
  lower: "peer ÷ ours" | "ours ÷ this" = "peer ÷ ours",
) {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.results)))].filter((k) =>
    k.startsWith(`${group}: `),
  );
  const scale = unit === "ms" ? 1000 : 1;
  const cell = (r: (typeof results)[number], name: string) => {
    const value = r.results[name];
    const base = r.results[`${group}: ${ours}`];
    if (value === undefined || base === undefined) return "—";
    const figure = (value / scale).toFixed(unit === "ms" ? 2 : 1);
    if (name === `${group}: ${ours}`) return `${figure} ${unit}`;
    const ratio = lower === "peer ÷ ours" ? value / base : base / value;
    return `${figure} ${unit} (${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×)`;
  };
  return [
    `| ${group} | ${results.map((r) => r.name).join(" | ")} |`,
    `| --- | ${results.map(() => "---:").join(" | ")} |`,
    ...names.map(
      (name) => `| ${name.slice(group.length + 2)} | ${results.map((r) => cell(r, name)).join(" | ")} |`,
    ),
  ].join("\n");
}

const tables = [
  table("session", "warrant.getSession", "µs"),
  table("token", "warrant.verifyToken", "µs"),
  table("srp", "warrant", "ms"),
].join("\n\n");
// SRP against the floor: OpenSSL doing the same maths, in the same Node process.
const node = results.find((r) => r.name === "Node")?.results;
const floor = node?.["srp: OpenSSL modexp (node:crypto)"];
const overOpenSsl = floor
  ? `On Node, per SRP login, over OpenSSL doing the same maths in the same run: ours ${(node["srp: warrant"]! / floor).toFixed(2)}×, ours with the Node adapter's \`modPow\` ${(node["srp: warrant + OpenSSL modPow"]! / floor).toFixed(2)}×.`
  : "";
console.log(`\n${tables}\n\n${overOpenSsl}\n`);

const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
writeFileSync(
  join(root, "bench/RESULTS.md"),
  `# Ours beside the peers

Command: \`npm run bench\` (this part: \`npx tsx bench/peers/run.ts\`) · date: ${date}
Machine: ${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs, shared (1-minute load average at the start: ${load})
Runtimes: ${results.map((r) => r.version).join(", ")}

Each runtime ran bench/peers/measure.ts once, alone: ours and every peer in that one process, interleaved
(after a warm-up, each contender runs one batch in turn, round after round, so a drift of the machine's
speed falls on all alike). A figure is the median of per-call means; in brackets, that figure over ours in
the same run (above 1: ours is faster). Compare ratios, not times: the machine is shared. Session stores:
memory (unstorage's driver for ours, better-auth's memory adapter); Auth.js keeps its session in a JWT
cookie. Tokens: a Cognito-shaped RS256 access token, the JWKS cached by each verifier. SRP: the client's
work for one login (see bench/srp/run.ts) answering the same known-answer challenge; "OpenSSL modexp" is
the same maths in node:crypto (Node only); "+ OpenSSL modPow" is ours with \`adapters/node-crypto.ts\`.

${tables}

${overOpenSsl}
`,
);
console.log("wrote bench/RESULTS.md");
