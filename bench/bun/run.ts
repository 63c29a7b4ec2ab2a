/**
 * @module
 * A protected request under Bun.serve against a hand-made floor (issue 12 item 4: ours ≥ 0.8× the floor).
 * Three servers, each in its own process under the real Bun binary (`node_modules/.bin/bun`, see
 * bench/bun/server.ts): `bare` (`new Response("ok")`), `floor` (cookie, one synchronous SHA-256 with
 * Bun's native hasher, one storage read, 200/401 by hand) and `ours` (`warrant.protect(handler)` with a valid session made through
 * the library's own API, and `adapters/bun`'s `sha256Hex`, the same hasher, as the option), on the same kind of
 * store (unstorage's memory driver).
 *
 * autocannon keeps 50 requests in flight from this process. Two figures per server and round: the server
 * process's CPU time per request (user + system of every thread, from /proc/<pid>/stat before and after
 * the load), which other work on a shared machine moves less, and requests per second. Rounds turn the
 * order of the servers; the ratios are the medians of each round's own ratio. Results go to
 * bench/bun/RESULTS.md with the machine and load.
 *
 *   npx tsx bench/bun/run.ts        (also part of `npm run bench`; BENCH_ROUNDS, BENCH_SECONDS)
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const kinds = ["bare", "floor", "ours"] as const;
type Kind = (typeof kinds)[number];
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const root = fileURLToPath(new URL("../../", import.meta.url));
const bun = `${root}node_modules/.bin/bun`;
const ticksPerSecond = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

/** CPU time (µs, user + system, every thread) the process has used so far. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1e6;
}

async function start(kind: Kind) {
  const child = spawn(bun, [`${root}bench/bun/server.ts`, kind], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", (code) => reject(new Error(`${kind} exited with ${code}`)));
  });
  const { url, cookie } = JSON.parse(line) as { url: string; cookie: string };
  return { kind, url, cookie, pid: child.pid!, stop: () => child.kill() };
}

async function load(server: Awaited<ReturnType<typeof start>>, duration: number) {
  const result = await autocannon({
    url: `${server.url}/app`,
    connections: 50,
    duration,
    headers: { cookie: server.cookie, accept: "text/html" },
  });
  if (result.non2xx || result.errors)
    throw new Error(`${server.kind}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, total: result.requests.total };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

const loadBefore = loadavg()[0]!;
const servers = [];
for (const kind of kinds) servers.push(await start(kind));
const samples = Object.fromEntries(
  kinds.map((k) => [k, { rps: [] as number[], us: [] as number[] }]),
) as Record<Kind, { rps: number[]; us: number[] }>;
try {
  for (const server of servers) await load(server, 1); // warm-up: JIT, connections
  for (let round = 0; round < rounds; round++) {
    // The order turns each round, so no server always runs first (or right after another's load).
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + round) % servers.length]!;
      const before = cpuOf(server.pid);
      const { rps, total } = await load(server, seconds);
      const us = (cpuOf(server.pid) - before) / total;
      samples[server.kind].rps.push(rps);
      samples[server.kind].us.push(us);
      console.log(
        `round ${round + 1} ${server.kind}: ${us.toFixed(1)} µs CPU per request, ${Math.round(rps)} req/s`,
      );
    }
  }
} finally {
  for (const server of servers) server.stop();
}

/** Median over rounds of `of(a) ÷ of(b)`, each round's two figures taken at the same moment's load. */
const ratio = (a: Kind, b: Kind, of: "rps" | "us") =>
  median(samples[a][of].map((v, i) => v / samples[b][of][i]!));
const version = await new Promise<string>((resolve) => {
  const child = spawn(bun, ["--version"]);
  let out = "";
  child.stdout.on("data", (c) => (out += c));
  child.once("close", () => resolve(out.trim()));
});
const machine = `${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Bun ${version}, ${process.platform}; load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0]!.toFixed(1)} after`;
const table = [
  "| server | µs CPU/req | req/s |",
  "| --- | --- | --- |",
  ...kinds.map(
    (k) => `| ${k} | ${median(samples[k].us).toFixed(1)} | ${Math.round(median(samples[k].rps))} |`,
  ),
].join("\n");
const ratios = [
  `- ours ÷ floor, requests per second: **${ratio("ours", "floor", "rps").toFixed(2)}×** (the target: ≥ 0.8×)`,
  `- ours ÷ floor, server CPU per request: ${ratio("ours", "floor", "us").toFixed(2)}× (above 1: ours costs more)`,
  `- requests per second against bare: floor ${ratio("floor", "bare", "rps").toFixed(2)}×, ours ${ratio("ours", "bare", "rps").toFixed(2)}×`,
].join("\n");
console.log(`\n${table}\n\n${ratios}\n\n${machine}`);
writeFileSync(
  new URL("RESULTS.md", import.meta.url),
  `# A protected request under Bun.serve against a hand-made floor, 50 requests in flight

\`npx tsx bench/bun/run.ts\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Three servers, each in its own
process under the real Bun binary (\`node_modules/.bin/bun\`, bench/bun/server.ts), each over an unstorage memory
storage (\`unstorage/drivers/memory\`) holding one session made beforehand through the library's own API
(\`createSession\` of \`@warrant/cognito/testing\`):

- \`bare\`: \`new Response("ok")\`, nothing read.
- \`floor\`: by hand, the least a session check can do: the session cookie out of the \`Cookie\` header, one
  synchronous SHA-256 of it with Bun's native hasher (\`Bun.SHA256.hash(token, "hex")\`, about 0.2 µs; the
  library's is JavaScript, src/sha256.ts, 1-2 µs: \`@oslojs/crypto\`'s, tried first, was left unoptimised by
  JavaScriptCore in some processes, doubling the floor's cost for the whole run), one \`storage.getItem\`;
  200 "ok" or 401.
- \`ours\`: \`warrant.protect(() => new Response("ok"))\` with the \`sha256Hex\` option set to \`adapters/bun\`'s
  (the same native hasher): the cookie, the session record, its last use and the user's revocation time,
  idle and absolute expiry.

autocannon (50 connections, ${seconds} s per server and round after a 1 s warm-up each) loads them from the bench
process, on the same machine; ${rounds} rounds, the servers' order turning each round. CPU per request is the
server process's user + system time (all its threads, from \`/proc/<pid>/stat\`, 10 ms ticks) over the
requests it answered; medians of rounds. Ratios are the median of each round's own ratio.

${table}

${ratios}

Machine: ${machine}. The load generator shares the machine's cores with the servers, so the figures are for
comparison within one run, not capacity.
`,
);
