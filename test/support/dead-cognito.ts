/**
 * @module
 * Cognito that does not answer, three real ways: a closed port (the connection is refused), a listener
 * that accepts and never says a word (a hung Cognito), and one that resets every connection. None is a
 * fake: each is a real socket on 127.0.0.1 doing what a broken network does.
 */
import { createServer, type Server, type Socket } from "node:net";

/** An endpoint that fails in one way, and how to stop it. */
export interface DeadCognito {
  kind: "closed port" | "never answers" | "reset connection";
  endpoint: string;
  /** The cause the log line must name. */
  cause: RegExp;
  /** How many connections reached it (always 0 for the closed port). */
  connections(): number;
  close(): Promise<void>;
}

const listen = async (server: Server) => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
};

/** A port nothing listens on: bound, then closed, so the connection is refused (ECONNREFUSED). */
export async function closedPort(): Promise<DeadCognito> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    kind: "closed port",
    endpoint: `http://127.0.0.1:${port}`,
    cause: /ECONNREFUSED/,
    connections: () => 0,
    close: async () => {},
  };
}

/** A listener that accepts every connection and never answers (the request waits for its deadline). */
export async function neverAnswers(): Promise<DeadCognito> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    kind: "never answers",
    endpoint: `http://127.0.0.1:${port}`,
    cause: /no answer within \d+ ms/,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A listener that resets each connection as it arrives (ECONNRESET). */
export async function resetsConnections(): Promise<DeadCognito> {
  let count = 0;
  const server = createServer((socket) => {
    count++;
    socket.on("error", () => {});
    socket.resetAndDestroy();
  });
  const port = await listen(server);
  return {
    kind: "reset connection",
    endpoint: `http://127.0.0.1:${port}`,
    cause: /ECONNRESET|EPIPE/,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The three, for tests that run once per way of failing. */
export const deadCognitos: (() => Promise<DeadCognito>)[] = [closedPort, neverAnswers, resetsConnections];
