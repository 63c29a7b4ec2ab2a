/**
 * @module
 * The adapters' own work with the network taken out: real `IncomingMessage` and `ServerResponse`
 * objects over a socket that discards what it is written, driven in one process, so what is timed is
 * what differs between `toNodeListener` and srvx's `toNodeHandler` (turning the Node request into a
 * `Request` and the `Response` back into writes). The two alternate in batches; medians of the process's CPU
 * µs per request (user + system: GC threads included, preemption by other work on the machine not).
 *
 *   npx tsx bench/node/inprocess.ts        (also run by bench/node/run.ts)
 */
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import { Writable } from "node:stream";
import { toNodeHandler } from "srvx/node";
import { toNodeListener } from "../../adapters/node.ts";

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

const handlers = {
  bare: () => new Response("ok"),
  cookie: (request: Request) =>
    new Response(`${new URL(request.url).pathname} ${request.headers.get("cookie") ?? ""}`),
};
const cookie = `warrant=${"A".repeat(43)}; theme=dark`;

/** A socket that accepts every write and keeps nothing. */
function sink(): Socket {
  const socket = new Socket();
  const devnull = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
    writev(_chunks, done) {
      done();
    },
  });
  Object.assign(socket, {
    write: (...args: unknown[]) => {
      const done = args.find((a) => typeof a === "function") as (() => void) | undefined;
      done?.();
      return true;
    },
    cork() {},
    uncork() {},
    writable: true,
    _writableState: (devnull as unknown as { _writableState: unknown })._writableState,
  });
  return socket;
}

function one(listener: NodeHandler, socket: Socket): Promise<void> {
  const req = new IncomingMessage(socket);
  req.method = "GET";
  req.url = "/accounts/profile?x=1";
  req.httpVersion = "1.1";
  req.headers = { host: "127.0.0.1:3000", cookie, accept: "text/html" };
  req.rawHeaders = ["host", "127.0.0.1:3000", "cookie", cookie, "accept", "text/html"];
  req.complete = true;
  req.push(null);
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  return new Promise((resolve, reject) => {
    res.once("finish", () => {
      res.detachSocket(socket);
      resolve();
    });
    res.once("error", reject);
    void listener(req, res);
  });
}

/** CPU µs (user + system) per request over `n` requests: what other work on the machine moves least. */
async function batch(listener: NodeHandler, socket: Socket, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await one(listener, socket);
  const spent = process.cpuUsage(start);
  return (spent.user + spent.system) / n;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** µs per request for each adapter and handler: medians of alternating batches. */
export async function measureInProcess(rounds = 31, n = 2000): Promise<Record<string, number>> {
  const socket = sink();
  const out: Record<string, number> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    const ours = toNodeListener(handler) as NodeHandler;
    const theirs = toNodeHandler(handler) as NodeHandler;
    await batch(ours, socket, n);
    await batch(theirs, socket, n);
    const a: number[] = [];
    const b: number[] = [];
    for (let r = 0; r < rounds; r++) {
      a.push(await batch(ours, socket, n));
      b.push(await batch(theirs, socket, n));
    }
    out[`${name}/warrant`] = median(a);
    out[`${name}/srvx`] = median(b);
    out[`${name}/ratio`] = median(b.map((v, i) => v / a[i]!));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureInProcess();
  for (const [k, v] of Object.entries(result)) console.log(k, v.toFixed(2));
}
