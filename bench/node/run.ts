/**
 * @module
 * The Node adapter against its peers, in one run (issue 12 item 3): `adapters/node.ts`, srvx (a
 * devDependency of the bench only) and bare node:http (no Request/Response: the floor), each serving the
 * same handler from its own process while autocannon keeps 50 requests in flight from this one.
 *
 * Two figures per server: the server process's CPU time per request (user + system, read over IPC
 * before and after the load), which other work on a shared machine barely moves, and requests per
 * second, which it moves a lot. Rounds alternate the servers so drift hits all alike; the table keeps
 * each server's median round. Ratios are to srvx. Results go to bench/node/RESULTS.md with the machine.
 *
 *   npx tsx bench/node/run.ts        (also part of `npm run bench`)
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { measureInProcess } from "./inprocess.ts";

const servers = ["warrant", "srvx", "node"] as const;
const handlers = ["bare", "cookie"] as const;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const here = fileURLToPath(new URL(".", import.meta.url));
const cookie = `warrant=${"A".repeat(43)}; theme=dark`;

async function start(server: string, handler: string) {
  const child = spawn(process.execPath, ["--import", "tsx", `${here}server.ts`, server, handler], {
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`${server} exited with ${code}`)));
  });
  const cpu = () =>
    new Promise<number>((resolve) => {
      child.once("message", (m) => resolve((m as { cpu: number }).cpu));
      child.send("cpu");
    });
  return { url, cpu, stop: () => child.kill() };
}

async function load(url: string, duration: number) {
  const result = await autocannon({
    url: `${url}/accounts/profile?x=1`,
    connections: 50,
    duration,
    headers: { cookie, accept: "text/html" },
  });
  if (result.non2xx || result.errors)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, total: result.requests.total };
}

const loadBefore = loadavg()[0]!;
const samples: Record<string, { rps: number[]; us: number[] }> = {};
for (let round = 0; round < rounds; round++) {
  for (const handler of handlers) {
    // The order turns each round, so no server always runs first (or right after another's load).
    for (const server of servers.map((_, i) => servers[(i + round) % servers.length]!)) {
      const running = await start(server, handler);
      try {
        await load(running.url, 1); // warm-up: JIT, connections
        const before = await running.cpu();
        const { rps, total } = await load(running.url, seconds);
        const us = ((await running.cpu()) - before) / total;
        const key = `${handler}/${server}`;
        samples[key] ??= { rps: [], us: [] };
        samples[key].rps.push(rps);
        samples[key].us.push(us);
        console.log(
          `round ${round + 1} ${key}: ${us.toFixed(1)} µs CPU per request, ${Math.round(rps)} req/s`,
        );
      } finally {
        running.stop();
      }
    }
  }
}
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const machine = `${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, ${process.platform}; load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0]!.toFixed(1)} after`;
const rows = handlers.map((handler) => {
  const us = (s: string) => median(samples[`${handler}/${s}`]?.us ?? []);
  const rps = (s: string) => median(samples[`${handler}/${s}`]?.rps ?? []);
  // The ratio of each round, then their median: a round's two figures share that moment's load.
  const ours = samples[`${handler}/warrant`]?.us ?? [];
  const ratio = median((samples[`${handler}/srvx`]?.us ?? []).map((v, i) => v / (ours[i] ?? Number.NaN)));
  return `| ${handler} | ${us("warrant").toFixed(1)} | ${us("srvx").toFixed(1)} | ${us("node").toFixed(1)} | ${ratio.toFixed(2)}× | ${Math.round(rps("warrant"))} | ${Math.round(rps("srvx"))} | ${Math.round(rps("node"))} |`;
});
const table = [
  "| handler | ours µs CPU/req | srvx µs CPU/req | node:http µs CPU/req | srvx ÷ ours, median of rounds (>1: ours cheaper) | ours req/s | srvx req/s | node:http req/s |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows,
].join("\n");
const inProcess = await measureInProcess();
const inTable = [
  "| handler | ours µs CPU/req | srvx µs CPU/req | srvx ÷ ours, median of batches (>1: ours cheaper) |",
  "| --- | --- | --- | --- |",
  ...handlers.map(
    (h) =>
      `| ${h} | ${inProcess[`${h}/warrant`]!.toFixed(1)} | ${inProcess[`${h}/srvx`]!.toFixed(1)} | ${inProcess[`${h}/ratio`]!.toFixed(2)}× |`,
  ),
].join("\n");
console.log(`\n${table}\n\n${inTable}\n\n${machine}`);
writeFileSync(
  new URL("RESULTS.md", import.meta.url),
  `# Node adapter against srvx and node:http, 50 requests in flight

\`npx tsx bench/node/run.ts\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Each server runs the same
handler in its own process; autocannon (50 connections, ${seconds} s after a 1 s warm-up) loads it from the bench process,
on the same machine. Median of ${rounds} rounds; the order of the servers turns each round, and the ratio is the
median of each round's own ratio. The first figures are the server process's CPU time per
request (user + system): the cost of the adapter, moved less than throughput by other work on the machine (but
moved: on a loaded machine a round's figures vary by 2-4×, so read the ratio). Requests per second follow, for
scale; on a shared machine they move with whatever else runs.

- \`bare\`: the handler answers \`new Response("ok")\`.
- \`cookie\`: it reads the URL's path and the \`Cookie\` header and answers them (what a session check needs of a request).
- node:http answers the same bytes with no \`Request\` or \`Response\` at all: the floor.

${table}

The adapters alone, with the network taken out (\`bench/node/inprocess.ts\`: real \`IncomingMessage\` and
\`ServerResponse\` over a socket that discards its writes, \`toNodeListener\` and srvx's \`toNodeHandler\` in one process,
alternating batches of 2,000 requests; the process's CPU time, user + system, per request):

${inTable}

Machine: ${machine}. The load generator shares the machine's cores with the server, so the figures are for
comparison within one run, not capacity.
`,
);
