/**
 * @module
 * One server of the Node adapter benchmark, in its own process so the load generator does not share its
 * event loop: `tsx bench/node/server.ts <server> <handler>`, then it prints its URL on the first line.
 * Over the IPC channel it answers "cpu" with the CPU time it has used (µs, user + system), so the bench
 * can charge each request with what the server spent on it, whatever else the machine is doing.
 *
 * servers: `warrant` (adapters/node.ts `serve`), `srvx` (srvx's Node `serve`), `node` (node:http with no
 * Request or Response at all: the floor).
 * handlers: `bare` (answers "ok"), `cookie` (reads the URL's path and the Cookie header, as a session
 * check does, and answers them).
 */
import { createServer } from "node:http";
import { serve as srvx } from "srvx/node";
import { serve } from "../../adapters/node.ts";

const [kind, shape] = process.argv.slice(2) as ["warrant" | "srvx" | "node", "bare" | "cookie"];
const fetchHandler =
  shape === "cookie"
    ? (request: Request) =>
        new Response(`${new URL(request.url).pathname} ${request.headers.get("cookie") ?? ""}`)
    : () => new Response("ok");

if (kind === "warrant") {
  const server = await serve(fetchHandler, { port: 0 });
  console.log(server.url.replace("localhost", "127.0.0.1"));
} else if (kind === "srvx") {
  const server = srvx({ fetch: fetchHandler, port: 0, hostname: "127.0.0.1", silent: true });
  await server.ready();
  console.log(server.url?.replace(/\/$/, ""));
} else {
  const server = createServer((req, res) => {
    const body = shape === "cookie" ? `${(req.url ?? "/").split("?")[0]} ${req.headers.cookie ?? ""}` : "ok";
    res.writeHead(200, { "content-type": "text/plain;charset=UTF-8" });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  console.log(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
}

process.on("message", (message) => {
  if (message === "cpu") {
    const { user, system } = process.cpuUsage();
    process.send?.({ cpu: user + system });
  }
});
// Stopped by the bench with SIGTERM: exit normally, so `--cpu-prof` (when profiling) writes its profile.
process.on("SIGTERM", () => process.exit(0));
