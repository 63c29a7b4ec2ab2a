/**
 * The SRP known answers inside workerd, the Cloudflare Workers runtime (through miniflare), so the
 * client is checked on all four runtimes: Node, Bun and Deno run test/unit/srp.test.ts directly.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

test("createSrpClient reproduces amazon-cognito-identity-js's known answers in workerd", async () => {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL("./srp-vectors.worker.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  const mf = new Miniflare({
    modules: true,
    compatibilityDate: "2025-01-01",
    script: bundle.outputFiles[0]!.text,
  });
  try {
    const res = await mf.dispatchFetch("http://test/");
    const body = (await res.json()) as { checked: number; failures: string[] };
    assert.ok(body.checked >= 5);
    assert.deepEqual(body.failures, []);
  } finally {
    await mf.dispose();
  }
});
