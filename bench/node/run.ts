/**
 * @module
 * The Node adapter against its peers, in one run (issue 12 item 3): requests per second at 50 in
 * flight for `adapters/node.ts`, srvx (a devDependency of the bench only) and bare node:http (no
 * Request/Response: the floor), each serving the same handler from its own process while autocannon
 * loads it from this one. Rounds alternate the servers, so drift on a shared machine hits all alike; the
 * table keeps each server's best round, and the ratios are to srvx. Results go to bench/node/RESULTS.md
 * with the machine named.
 *
 *   npx tsx bench/node/run.ts        (also part of `npm run bench`)
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const servers = ["warrant", "srvx", "node"] as const;
const handlers = ["bare", "cookie"] as const;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const here = fileURLToPath(new URL(".", import.meta.url));
const cookie = `warrant=${"A".repeat(43)}; theme=dark`;

async function start(server: string, handler: string) {
  const child = spawn(process.execPath, ["--import", "tsx", `${here}server.ts`, server, handler], {
    stdio: ["ignore", "pipe", "inherit"],
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
  return { url, stop: () => child.kill() };
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
  return result.requests.average;
}

const best: Record<string, number> = {};
for (let round = 0; round < rounds; round++) {
  for (const handler of handlers) {
    for (const server of servers) {
      const running = await start(server, handler);
      try {
        await load(running.url, 1); // warm-up: JIT, connections
        const rps = await load(running.url, seconds);
        const key = `${handler}/${server}`;
        best[key] = Math.max(best[key] ?? 0, rps);
        console.log(`round ${round + 1} ${key}: ${Math.round(rps)} req/s`);
      } finally {
        running.stop();
      }
    }
  }
}

const machine = `${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} cores), Node ${process.version}, ${process.platform}`;
const rows = handlers.map((handler) => {
  const of = (s: string) => best[`${handler}/${s}`] ?? 0;
  const srvxRps = of("srvx");
  return `| ${handler} | ${Math.round(of("warrant"))} | ${Math.round(srvxRps)} | ${Math.round(of("node"))} | ${(of("warrant") / srvxRps).toFixed(2)}× | ${(of("warrant") / of("node")).toFixed(2)}× |`;
});
const table = [
  "| handler | adapters/node.ts req/s | srvx req/s | node:http (no Request/Response) req/s | ours ÷ srvx | ours ÷ node:http |",
  "| --- | --- | --- | --- | --- | --- |",
  ...rows,
].join("\n");
console.log(`\n${table}\n\n${machine}`);
writeFileSync(
  new URL("RESULTS.md", import.meta.url),
  `# Node adapter: requests per second at 50 in flight

\`npx tsx bench/node/run.ts\` (part of \`npm run bench\`), ${new Date().toISOString().slice(0, 10)}. Each server runs the same
handler in its own process; autocannon (50 connections, ${seconds} s after a 1 s warm-up) loads it from the bench process,
on the same machine. Best of ${rounds} alternating rounds.

- \`bare\`: the handler answers \`new Response("ok")\`.
- \`cookie\`: it reads the URL's path and the \`Cookie\` header and answers them (what a session check needs of a request).
- node:http answers the same bytes with no \`Request\` or \`Response\` at all: the floor.

${table}

Machine: ${machine}. The load generator shares the machine's cores with the server, so the figures are for comparison in one run, not capacity.
`,
);
