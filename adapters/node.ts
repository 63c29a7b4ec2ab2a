/**
 * @module
 * Node.js: serve a Web-standard handler with `node:http`, or mount it in Express/Connect.
 * Bodies stream both ways: the request body is read only when the handler reads it (so a body over
 * the limit is never buffered whole), and the response body is written as it comes.
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

export { modPow } from "./node-crypto.ts";

/** A Web-standard handler. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

function requestBody(req: IncomingMessage): ReadableStream<Uint8Array> | null {
  if (req.method === "GET" || req.method === "HEAD") return null;
  let iterator: AsyncIterator<Buffer> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      iterator ??= req[Symbol.asyncIterator]();
      const { done, value } = await iterator.next();
      if (done) controller.close();
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
    },
    async cancel() {
      await iterator?.return?.();
    },
  });
}

/** The Web `Request` for a Node request. */
export function toRequest(req: IncomingMessage): Request {
  const secure = Boolean((req.socket as TLSSocket).encrypted);
  const host = req.headers.host ?? "localhost";
  const url = new URL(req.url ?? "/", `${secure ? "https" : "http"}://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const controller = new AbortController();
  req.once("close", () => {
    if (!req.complete) controller.abort();
  });
  const body = requestBody(req);
  return new Request(url, {
    method: req.method ?? "GET",
    headers,
    signal: controller.signal,
    ...(body ? { body, duplex: "half" } : {}),
  } as RequestInit);
}

/** Writes a Web `Response` to a Node response, streaming its body. */
export async function writeResponse(response: Response, res: ServerResponse): Promise<void> {
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  if (cookies.length) res.setHeader("set-cookie", cookies);
  res.statusCode = response.status;
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve));
    }
  } finally {
    res.end();
  }
}

/** A `node:http` listener that also works as Express/Connect middleware. */
export type NodeListener = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => Promise<void>;

/**
 * A `node:http` listener (and Express/Connect middleware) for a Web handler. With Express, a 404 from
 * the handler passes the request on to the next middleware, so the app's own routes still answer.
 *
 * @example
 * ```ts
 * import express from "express";
 * const app = express();
 * app.use(toNodeListener(warrant.handler));
 * app.get("/", (req, res) => res.send("home"));
 * ```
 */
export function toNodeListener(handler: FetchHandler): NodeListener {
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    next?: (error?: unknown) => void,
  ): Promise<void> => {
    try {
      const response = await handler(toRequest(req));
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

/**
 * Serves a Web handler on `node:http` (loopback by default).
 *
 * @example
 * ```ts
 * const { url } = await serve(warrant.handler, { port: 3000 });
 * ```
 */
export async function serve(
  handler: FetchHandler,
  options: { port?: number; hostname?: string } = {},
): Promise<NodeServer> {
  const server = createServer((req, res) => void toNodeListener(handler)(req, res));
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
