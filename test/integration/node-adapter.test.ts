/**
 * adapters/node.ts over real sockets: serve, streaming bodies both ways, Express-style fall-through,
 * real Express 5 in front of the app's own body-parsing routes, disconnects and slow clients.
 */
import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { serve, toNodeListener } from "../../adapters/node.ts";
import { remoteAddress } from "../../src/http/client-address.ts";
import { csrfOf } from "../support/browser-client.ts";
import { createEnv, type Env, email, PASSWORD, warrantFor } from "../support/setup.ts";

describe("Node adapter", () => {
  let env: Env;
  before(async () => {
    env = await createEnv();
  });
  after(() => env.close());

  it("serves the handler: a form login over HTTP keeps every Set-Cookie", async () => {
    const name = email("node");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const server = await serve(warrantFor(env).handler, { port: 0 });
    try {
      const page = await fetch(`${server.url}/accounts/login`);
      const csrfCookie = page.headers.getSetCookie()[0]!.split(";")[0]!;
      const res = await fetch(`${server.url}/accounts/login`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: csrfCookie,
          origin: server.url,
        },
        body: new URLSearchParams({ csrf: csrfOf(await page.text()), username: name, password: PASSWORD }),
      });
      assert.equal(res.status, 303);
      const cookies = res.headers.getSetCookie();
      assert.equal(cookies.length, 2, "session cookie and the expired challenge cookie");
      assert.match(cookies[0]!, /^warrant=[A-Za-z0-9_-]{43};/);
    } finally {
      await server.close();
    }
  });

  it("stops reading a 1 MB chunked upload at the cap: 413, Cognito never called", async () => {
    const server = await serve(warrantFor(env).handler, { port: 0 });
    try {
      env.front.resetCalls();
      const { port } = new URL(server.url.replace("localhost", "127.0.0.1"));
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: "/accounts/login",
            headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", (error) =>
          String(error).includes("EPIPE") || String(error).includes("ECONNRESET") ? undefined : reject(error),
        );
        const chunk = Buffer.alloc(64 * 1024, "a");
        let sent = 0;
        const pump = () => {
          while (sent < 16) {
            sent++;
            if (!req.write(chunk)) return req.once("drain", pump);
          }
          req.end();
        };
        pump();
      });
      assert.equal(status, 413);
      assert.equal(env.front.calls(), 0);
    } finally {
      await server.close();
    }
  });

  it("closes the connection after an early 413, so a keep-alive client's next request still works", {
    timeout: 15_000,
  }, async () => {
    const server = await serve(warrantFor(env).handler, { port: 0 });
    try {
      const big = await fetch(`${server.url}/accounts/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(1024 * 1024),
      });
      assert.equal(big.status, 413);
      assert.equal(big.headers.get("connection"), "close");
      await big.arrayBuffer();
      const next = await fetch(`${server.url}/accounts/login`);
      assert.equal(next.status, 200);
      await next.arrayBuffer();
    } finally {
      await server.close();
    }
  });

  it("works as Express/Connect middleware: a 404 falls through to the next handler", async () => {
    const listener = toNodeListener(warrantFor(env).handler);
    const server = createServer((req, res) => {
      void listener(req, res, () => {
        res.statusCode = 200;
        res.end("app route");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    try {
      assert.equal(await (await fetch(`${base}/orders`)).text(), "app route");
      const login = await fetch(`${base}/accounts/login`);
      assert.equal(login.status, 200);
      assert.match(await login.text(), /<form method="post"/);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("hands the warrant the TCP peer's address, never a header the client wrote", async () => {
    const server = await serve(async (request) => new Response(remoteAddress(request) ?? "none"), {
      port: 0,
    });
    try {
      const res = await fetch(`${server.url}/accounts/login`, { headers: { "x-forwarded-for": "6.6.6.6" } });
      assert.match(await res.text(), /^(::ffff:)?127\.0\.0\.1$/);
    } finally {
      await server.close();
    }
  });

  it("streams a response body as it is produced", async () => {
    const encoder = new TextEncoder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const server = await serve(
      () =>
        new Response(
          new ReadableStream({
            async start(controller) {
              controller.enqueue(encoder.encode("first;"));
              await gate;
              controller.enqueue(encoder.encode("second"));
              controller.close();
            },
          }),
        ),
      { port: 0 },
    );
    try {
      const res = await fetch(server.url);
      const reader = res.body!.getReader();
      const first = await reader.read();
      assert.equal(
        new TextDecoder().decode(first.value),
        "first;",
        "the first chunk arrives before the body ends",
      );
      release();
      let rest = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        rest += new TextDecoder().decode(value);
      }
      assert.equal(rest, "second");
    } finally {
      await server.close();
    }
  });

  const listen = async (server: ReturnType<typeof createServer>) => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  };

  it("regression (issue 10 item 6): Express 5 keeps its express.json() POST routes behind app.use(toNodeListener(...))", {
    timeout: 20_000,
  }, async () => {
    const name = email("express");
    await env.pool.createUser({ email: name, password: PASSWORD });
    const app = express();
    app.use(toNodeListener(warrantFor(env).handler));
    app.post("/orders", express.json(), (req, res) => {
      res.json({ got: req.body });
    });
    app.post("/echo", express.urlencoded({ extended: false }), (req, res) => {
      res.json({ got: req.body });
    });
    const server = createServer(app);
    const base = await listen(server);
    try {
      const json = await fetch(`${base}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ item: "tea", qty: "2" }),
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(json.status, 200);
      assert.deepEqual(await json.json(), { got: { item: "tea", qty: "2" } });
      const form = await fetch(`${base}/echo`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "a=1",
        signal: AbortSignal.timeout(5000),
      });
      assert.deepEqual(await form.json(), { got: { a: "1" } });
      // The warrant's own routes still work through Express, with every Set-Cookie kept.
      const login = await fetch(`${base}/accounts/login`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ username: name, password: PASSWORD }),
      });
      assert.equal(login.status, 200);
      assert.equal(login.headers.getSetCookie().length, 2);
      assert.equal(login.headers.get("x-powered-by"), "Express");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it("regression (issue 10 item 7): a client gone while the response is backpressured stops the writer and cancels the body", {
    timeout: 20_000,
  }, async () => {
    let cancelled!: () => void;
    const wasCancelled = new Promise<void>((r) => (cancelled = r));
    let pulls = 0;
    const server = await serve(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(controller) {
              pulls++;
              controller.enqueue(new Uint8Array(256 * 1024));
            },
            cancel() {
              cancelled();
            },
          }),
        ),
      { port: 0 },
    );
    try {
      const { port } = new URL(server.url);
      // A client that asks, reads nothing (so the server's writes back up), then disconnects.
      const socket = connect(Number(port), "127.0.0.1");
      socket.write("GET / HTTP/1.1\r\nhost: localhost\r\n\r\n");
      socket.pause();
      await new Promise((r) => setTimeout(r, 300));
      socket.destroy();
      await wasCancelled;
      const after = pulls;
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(pulls, after, "nothing more is pulled from the body once the client is gone");
    } finally {
      await server.close();
    }
  });

  it("regression (issue 10 item 7): serve ends a request whose body trickles in past requestTimeout", {
    timeout: 20_000,
  }, async () => {
    const server = await serve(warrantFor(env).handler, {
      port: 0,
      headersTimeout: 1000,
      requestTimeout: 1500,
    });
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      socket.on("error", () => {});
      socket.write(
        "POST /accounts/login HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 4000\r\n\r\n",
      );
      const trickle = setInterval(() => socket.write("a"), 100);
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk.toString()));
      const started = Date.now();
      await new Promise<void>((resolve) => socket.once("close", () => resolve()));
      clearInterval(trickle);
      assert.ok(Date.now() - started < 10_000, "the connection was not held");
      assert.match(answer, /^HTTP\/1\.1 408/);
    } finally {
      await server.close();
    }
  });

  it("builds the request lazily: a handler that reads only a header never touches the body stream", async () => {
    let seen: Request | undefined;
    const server = await serve(
      (request) => {
        seen = request;
        return new Response(request.headers.get("x-probe") ?? "none");
      },
      { port: 0 },
    );
    try {
      const res = await fetch(server.url, { method: "POST", headers: { "x-probe": "yes" }, body: "data" });
      assert.equal(await res.text(), "yes");
      assert.ok(seen instanceof Request);
      assert.equal(new URL(seen.url).pathname, "/");
      assert.equal(seen.method, "POST");
      assert.equal(seen.headers.get("X-PROBE"), "yes");
      assert.ok(seen.headers instanceof Headers);
      assert.deepEqual(
        [...seen.headers].find(([k]) => k === "x-probe"),
        ["x-probe", "yes"],
      );
    } finally {
      await server.close();
    }
  });

  it("a lazy request still reads its body through text(), json() and clone()", async () => {
    const server = await serve(
      async (request) => {
        const copy = request.clone();
        return Response.json({ text: await request.text(), json: await copy.json() });
      },
      { port: 0 },
    );
    try {
      const res = await fetch(server.url, { method: "POST", body: JSON.stringify({ a: "1" }) });
      assert.deepEqual(await res.json(), { text: '{"a":"1"}', json: { a: "1" } });
    } finally {
      await server.close();
    }
  });

  it("answers a body made whole in one write with its content-length, and refuses a Host that is not one", async () => {
    const server = await serve(() => new Response("whole"), { port: 0 });
    try {
      const res = await fetch(server.url);
      assert.equal(res.headers.get("content-length"), "5");
      assert.equal(await res.text(), "whole");
      const { port } = new URL(server.url);
      const answer = await new Promise<string>((resolve) => {
        const socket = connect(Number(port), "127.0.0.1");
        let out = "";
        socket.on("data", (chunk) => (out += chunk.toString()));
        socket.on("close", () => resolve(out));
        socket.on("error", () => {});
        socket.write("GET / HTTP/1.1\r\nhost: a@evil.example\r\n\r\n");
      });
      assert.match(answer, /^HTTP\/1\.1 400/);
    } finally {
      await server.close();
    }
  });
});
