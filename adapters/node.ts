/**
 * @module
 * Node.js: serve a Web-standard handler with `node:http`, or mount it in Express/Connect.
 *
 * The `Request` a handler gets is lazy: its URL, headers, signal and body are built the first time the
 * handler asks for them, and the Node request stream is not touched until the body is read. So a request
 * the handler does not claim (a 404 that falls through to Express) reaches the app's own routes and body
 * parsers untouched, and a request that only needs a cookie costs no `Headers`, no `URL` and no stream.
 * Responses stream out with backpressure, and stop (cancelling the response body) when the client goes.
 *
 * @example
 * ```ts
 * import { serve } from "@warrant/cognito/adapters/node";
 * const server = await serve(warrant.handler, { port: 3000 });
 * console.log(server.url);
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { peerAddress } from "../src/http/client-address.ts";

export { modPow } from "./node-crypto.ts";

/** A Web-standard handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * The request body as a Web stream that pulls from the Node stream only when read (a high-water mark
 * of 0: nothing is pulled ahead, so nothing is taken from a stream that another reader owns).
 */
function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        iterator ??= req[Symbol.asyncIterator]();
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/**
 * Headers read straight from Node's parsed ones; a real `Headers` is built only when something other
 * than `get`/`has` is asked of them.
 */
class NodeHeaders {
  #req: IncomingMessage;
  #full: Headers | undefined;
  constructor(req: IncomingMessage) {
    this.#req = req;
  }
  get(name: string): string | null {
    if (this.#full) return this.#full.get(name);
    const value = this.#req.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }
  has(name: string): boolean {
    return this.#full ? this.#full.has(name) : this.#req.headers[name.toLowerCase()] !== undefined;
  }
  /** The complete `Headers`, built once. */
  full(): Headers {
    this.#full ??= headersOf(this.#req);
    return this.#full;
  }
}
Object.setPrototypeOf(NodeHeaders.prototype, Headers.prototype);
for (const key of Object.getOwnPropertyNames(Headers.prototype)) {
  if (key === "constructor" || key === "get" || key === "has") continue;
  const descriptor = Object.getOwnPropertyDescriptor(Headers.prototype, key)!;
  if (typeof descriptor.value === "function") {
    Object.defineProperty(NodeHeaders.prototype, key, {
      value(this: NodeHeaders, ...args: unknown[]) {
        const full = this.full();
        return (full[key as keyof Headers] as (...a: unknown[]) => unknown).apply(full, args);
      },
      configurable: true,
      writable: true,
    });
  }
}
Object.defineProperty(NodeHeaders.prototype, Symbol.iterator, {
  value(this: NodeHeaders) {
    return this.full()[Symbol.iterator]();
  },
  configurable: true,
  writable: true,
});

/**
 * A `Request` over a Node request, built piece by piece as the handler reads it. It passes
 * `instanceof Request`; whatever it does not implement itself (`clone`, `formData`, `cache`, …) goes to
 * a real `Request` made on first use from the same pieces.
 */
class NodeRequest {
  #req: IncomingMessage;
  #url: string | undefined;
  #headers: NodeHeaders | undefined;
  #body: ReadableStream<Uint8Array> | null | undefined;
  #signal: AbortSignal | undefined;
  #real: Request | undefined;
  constructor(req: IncomingMessage) {
    this.#req = req;
  }
  get method(): string {
    return this.#req.method ?? "GET";
  }
  get url(): string {
    if (this.#url === undefined) {
      const secure = Boolean((this.#req.socket as TLSSocket).encrypted);
      const path = this.#req.url ?? "/";
      // An absolute-form target (a proxy request) or a bad one is resolved by URL, as `new Request` would.
      this.#url = path.startsWith("/")
        ? `${secure ? "https" : "http"}://${this.#req.headers.host ?? "localhost"}${path}`
        : new URL(path, `${secure ? "https" : "http"}://${this.#req.headers.host ?? "localhost"}`).href;
    }
    return this.#url;
  }
  get headers(): Headers {
    this.#headers ??= new NodeHeaders(this.#req);
    return this.#headers as unknown as Headers;
  }
  get body(): ReadableStream<Uint8Array> | null {
    if (this.#real) return this.#real.body;
    if (this.#body === undefined) {
      const method = this.method;
      this.#body = method === "GET" || method === "HEAD" ? null : requestBody(this.#req);
    }
    return this.#body;
  }
  get bodyUsed(): boolean {
    return this.#real ? this.#real.bodyUsed : (this.#body?.locked ?? false);
  }
  get signal(): AbortSignal {
    if (this.#real) return this.#real.signal;
    if (!this.#signal) {
      const controller = new AbortController();
      const req = this.#req;
      if (req.destroyed && !req.complete) controller.abort();
      else
        req.once("close", () => {
          if (!req.complete) controller.abort();
        });
      this.#signal = controller.signal;
    }
    return this.#signal;
  }
  /** The TCP peer, for the per-address rate limit: what the client cannot write itself. */
  [peerAddress](): string | undefined {
    return this.#req.socket?.remoteAddress;
  }
  /** The real `Request`, from the pieces built so far (the body stream too, if it was taken). */
  real(): Request {
    if (!this.#real) {
      const body = this.body;
      this.#real = new Request(this.url, {
        method: this.method,
        headers: (this.#headers?.full() ?? headersOf(this.#req)) as Headers,
        signal: this.signal,
        ...(body ? { body, duplex: "half" } : {}),
      } as RequestInit);
    }
    return this.#real;
  }
  text(): Promise<string> {
    return this.real().text();
  }
  json(): Promise<unknown> {
    return this.real().json();
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.real().arrayBuffer();
  }
}
Object.setPrototypeOf(NodeRequest.prototype, Request.prototype);
for (const key of Object.getOwnPropertyNames(Request.prototype)) {
  if (key === "constructor" || Object.hasOwn(NodeRequest.prototype, key)) continue;
  const descriptor = Object.getOwnPropertyDescriptor(Request.prototype, key)!;
  Object.defineProperty(
    NodeRequest.prototype,
    key,
    typeof descriptor.value === "function"
      ? {
          value(this: NodeRequest, ...args: unknown[]) {
            const real = this.real();
            return (real[key as keyof Request] as (...a: unknown[]) => unknown).apply(real, args);
          },
          configurable: true,
          writable: true,
        }
      : {
          get(this: NodeRequest) {
            return this.real()[key as keyof Request];
          },
          configurable: true,
        },
  );
}

/** The Web `Request` for a Node request: lazy, see the module doc. */
export function toRequest(req: IncomingMessage): Request {
  return new NodeRequest(req) as unknown as Request;
}

/** Writes the status and headers (with `content-length` when the whole body is known). */
function writeHead(response: Response, res: ServerResponse, length?: number): void {
  if (res.getHeaderNames().length === 0) {
    // One flat list, written in one go (the fast path of `writeHead`); the Headers iterator yields each
    // Set-Cookie on its own.
    const head: string[] = [];
    let sized = length === undefined;
    for (const [name, value] of response.headers) {
      head.push(name, value);
      if (!sized && name === "content-length") sized = true;
    }
    if (!sized) head.push("content-length", String(length));
    res.writeHead(response.status, head);
    return;
  }
  // Headers set before (Express's X-Powered-By, a connection: close): `writeHead` would merge a flat list
  // name by name and keep only the last Set-Cookie, so everything goes through setHeader.
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  const cookies = response.headers.getSetCookie();
  if (cookies.length) res.setHeader("set-cookie", cookies);
  if (length !== undefined && !response.headers.has("content-length"))
    res.setHeader("content-length", length);
  res.writeHead(response.status);
}

/**
 * Writes a Web `Response` to a Node response, streaming its body with backpressure. A body that is
 * complete after its first chunk (every body the handler makes) goes out in one write with its
 * `content-length`; others are streamed chunk by chunk. When the client disconnects (or the socket
 * fails) mid-body, writing stops and the response body is cancelled, so its source (a file, an upstream
 * socket) is released instead of waiting for a `drain` that never comes.
 */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const body = response.body;
  if (!body) {
    writeHead(response, res);
    res.end();
    return;
  }
  const reader = body.getReader();
  let gone = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    if (res.writableFinished) return;
    gone = true;
    reader.cancel().catch(() => {});
    wake?.();
  };
  res.on("close", stop);
  res.on("error", stop);
  try {
    const first = await reader.read();
    if (gone) return;
    if (first.done) {
      writeHead(response, res, 0);
      res.end();
      return;
    }
    let upcoming: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = reader.read();
    let next: ReadableStreamReadResult<Uint8Array> | undefined;
    upcoming.then(
      (read) => {
        next = read;
      },
      () => {},
    );
    // Two microtasks: enough for a body that is already complete (every body the handler makes) to
    // say so, and no wait at all for a stream whose next chunk is still to come.
    await undefined;
    await undefined;
    if (next?.done) {
      writeHead(response, res, first.value.byteLength);
      res.end(first.value);
      return;
    }
    writeHead(response, res);
    let chunk: Uint8Array = first.value;
    for (;;) {
      if (!res.write(chunk) && !gone) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          res.once("drain", resolve);
        });
        wake = undefined;
      }
      if (gone) return;
      const read = await (upcoming ?? reader.read());
      upcoming = undefined;
      if (read.done || gone) break;
      chunk = read.value;
    }
    res.end();
  } catch {
    // The body failed (or was cancelled because the client left): end what was sent.
    gone = true;
  } finally {
    res.off("close", stop);
    res.off("error", stop);
    if (gone && !res.writableEnded) res.destroy();
  }
}

/** A host name or address with an optional port, as a Host header must be. */
const validHost = /^(?:[A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** A `node:http` listener that also works as Express/Connect middleware. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/**
 * A `node:http` listener (and Express/Connect middleware) for a Web handler. With Express, a 404 from
 * the handler passes the request on to the next middleware, so the app's own routes still answer, with
 * their body unread (`express.json()` after it works).
 *
 * The listener sets no deadlines of its own: on your own `http.Server`, set `headersTimeout` and
 * `requestTimeout` (as {@link serve} does, 10 s and 30 s), or a client that trickles a body under the
 * size cap holds a connection for Node's default of 300 s.
 *
 * @example
 * ```ts
 * import express from "express";
 * const app = express();
 * app.use(toNodeListener(warrant.handler));
 * app.post("/orders", express.json(), (req, res) => res.json(req.body));
 * const server = app.listen(3000);
 * server.headersTimeout = 10_000;
 * server.requestTimeout = 30_000;
 * ```
 */
export function toNodeListener(handler: FetchHandler): NodeListener {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    next?: (error?: unknown) => void,
  ): Promise<void> => {
    try {
      // A Host header that is not a host (spaces, slashes, `@`) would make a URL nobody can parse, or
      // one that means another origin: refused here, as Node's own parser refuses a bad request line.
      const host = req.headers.host;
      if (host !== undefined && !validHost.test(host)) {
        res.writeHead(400, { "content-type": "text/plain; charset=utf-8", connection: "close" });
        res.end("Bad Request");
        return;
      }
      // The TCP peer's address is asked of the request only when the rate limit needs it.
      const answer = handler(new NodeRequest(req) as unknown as Request);
      // A handler that answers at once is not awaited: no tick between its Response and the write.
      const response = answer instanceof Response ? answer : await answer;
      if (response.status === 404 && next) {
        await response.body?.cancel();
        next();
        return;
      }
      // A body the handler did not read to the end (an early 413, say) leaves the connection in an
      // unknown state: close it after this response, so the client opens a fresh one for the next.
      if (!req.complete && req.method !== "GET" && req.method !== "HEAD")
        res.setHeader("connection", "close");
      await writeResponse(response, res);
    } catch (error) {
      if (next) return next(error);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader("content-type", "text/plain; charset=utf-8");
        res.end("Internal Server Error");
      } else res.destroy();
    }
  };
}

/** A running server. */
export interface NodeServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** @default 3000 */
  port?: number;
  /** @default "127.0.0.1" */
  hostname?: string;
  /** How long a client may take to send the request headers, in ms. @default 10000 */
  headersTimeout?: number;
  /** How long a client may take to send the whole request, body included, in ms. @default 30000 */
  requestTimeout?: number;
}

/**
 * Serves a Web handler on `node:http` (loopback by default), with deadlines for a request's headers and
 * for the whole request, so a slow client cannot hold a connection.
 *
 * @example
 * ```ts
 * const { url } = await serve(warrant.handler, { port: 3000 });
 * ```
 */
export async function serve(handler: FetchHandler, options: ServeOptions = {}): Promise<NodeServer> {
  const headersTimeout = options.headersTimeout ?? 10_000;
  const requestTimeout = Math.max(options.requestTimeout ?? 30_000, headersTimeout);
  const listener = toNodeListener(handler);
  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks the deadlines on this interval (30 s by default): often enough for short ones.
      connectionsCheckingInterval: Math.min(1000, headersTimeout),
    },
    (req, res) => void listener(req, res),
  );
  const hostname = options.hostname ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 3000, hostname, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://${hostname === "0.0.0.0" || hostname === "127.0.0.1" ? "localhost" : hostname}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
