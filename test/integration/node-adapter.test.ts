/**
 * adapters/node.ts over real sockets: serve, streaming bodies both ways, Express-style fall-through.
 */
import assert from "node:assert/strict";
import { createServer, request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { serve, toNodeListener } from "../../adapters/node.ts";
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
});
