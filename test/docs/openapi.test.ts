/**
 * docs/openapi.json against the routes: it is what scripts/openapi.ts writes now, it documents exactly
 * the route table the handler builds (every extension on), and every documented operation, sent to the
 * real handler as a JSON client would (anonymous; POSTs from another site), answers with a status the
 * document lists for it, never 404 or 405, while a method it does not list answers 405 with `Allow`
 * naming the documented ones. Nothing leaves the machine: Cognito's endpoint is a closed local port.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { documentedWarrant, generate } from "../../scripts/openapi.ts";
import { routeTable } from "../../src/http/handler.ts";
import { apiErrorCodes } from "../../src/mod.ts";

const doc = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"));
type Op = { responses: Record<string, unknown>; parameters?: unknown[] };
const operations = Object.entries(doc.paths as Record<string, Record<string, Op>>).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
);
const origin = "http://localhost";

describe("docs/openapi.json", () => {
  it("is what scripts/openapi.ts generates now (run npm run openapi after changing a route)", () => {
    assert.equal(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"), generate());
  });

  it("documents exactly the handler's route table", () => {
    const warrant = documentedWarrant();
    const table = routeTable(warrant.config)!;
    const base = warrant.config.basePath;
    const fromTable = Object.entries(table)
      .flatMap(([path, methods]) => methods.map((m) => `${m} ${base}${path.replace(/:(\w+)/g, "{$1}")}`))
      .sort();
    assert.ok(fromTable.length > 25, `${fromTable.length} routes`);
    assert.deepEqual(operations.map((o) => `${o.method} ${o.path}`).sort(), fromTable);
    assert.deepEqual(doc.components.schemas.Error.properties.error.enum, Object.keys(apiErrorCodes));
  });

  it("every documented operation answers on the real handler with a status it lists; other methods 405", async () => {
    const warrant = documentedWarrant();
    const byPath = new Map<string, string[]>();
    for (const { path, method } of operations) byPath.set(path, [...(byPath.get(path) ?? []), method]);
    for (const { path, method, op } of operations) {
      const url = `${origin}${path.replace(/\{\w+\}/g, "someone")}`;
      const res = await warrant.handler(
        new Request(url, {
          method,
          headers: {
            accept: "application/json",
            ...(method === "POST"
              ? { "content-type": "application/json", origin: "https://elsewhere.example" }
              : {}),
          },
          ...(method === "POST" ? { body: "{}" } : {}),
        }),
      );
      const status = String(res.status);
      assert.ok(
        status in op.responses,
        `${method} ${path} answered ${status}; documented: ${Object.keys(op.responses)}`,
      );
      if (res.headers.get("content-type")?.includes("json") && res.status >= 400) {
        const body = (await res.json()) as { error: string };
        assert.ok(body.error in apiErrorCodes, `${method} ${path}: ${body.error}`);
      } else await res.arrayBuffer();
    }
    for (const [path, methods] of byPath) {
      const other = methods.includes("POST") ? "PUT" : "POST";
      const res = await warrant.handler(
        new Request(`${origin}${path.replace(/\{\w+\}/g, "someone")}`, {
          method: other,
          headers: { accept: "application/json" },
        }),
      );
      assert.equal(res.status, 405, `${other} ${path}`);
      assert.deepEqual(res.headers.get("allow")?.split(", ").sort(), [...methods].sort(), `Allow of ${path}`);
      await res.arrayBuffer();
    }
  });
});
