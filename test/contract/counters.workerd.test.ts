/**
 * The counter contract inside workerd (through miniflare) over a real Durable Object namespace
 * bound to the adapter's WarrantCounters. The test
 * Worker uses `nodejs_compat` for `node:assert` only; test/packaging/workers-bundle.test.ts shows the
 * library itself runs without it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare } from "miniflare";

const shim = fileURLToPath(new URL("./workerd-test.ts", import.meta.url));
const bundle = await build({
  entryPoints: [fileURLToPath(new URL("./counters.worker.ts", import.meta.url))],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
  logLevel: "error",
  external: ["node:assert", "node:assert/strict"],
  plugins: [
    {
      name: "node-test-shim",
      setup(b) {
        b.onResolve({ filter: /^node:test$/ }, () => ({ path: shim }));
      },
    },
  ],
});
const mf = new Miniflare({
  modules: true,
  compatibilityDate: "2025-01-01",
  compatibilityFlags: ["nodejs_compat"],
  durableObjects: { COUNTERS: "WarrantCounters" },
  script: bundle.outputFiles[0]!.text,
});
let results: { name: string; ok: boolean; error?: string }[];
try {
  const response = await mf.dispatchFetch("http://contract/");
  results = (await response.json()) as typeof results;
} finally {
  await mf.dispose();
}

describe("inside workerd", () => {
  it("ran the whole contract", () => {
    assert.ok(results.length >= 5, `only ${results.length} results`);
  });
  for (const result of results) {
    it(result.name, () => {
      if (!result.ok) assert.fail(result.error);
    });
  }
});
