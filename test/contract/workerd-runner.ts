/**
 * @module
 * Runs a contract suite inside workerd (through miniflare): bundles the test Worker with
 * `workerd-test.ts` in place of `node:test`, starts it with the bindings given, asks it to run the
 * suite, and turns each result into a node:test case here. The test Worker uses `nodejs_compat` for
 * `node:assert` only; test/packaging/workers-bundle.test.ts shows the library itself runs without it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { Miniflare, type MiniflareOptions } from "miniflare";

type Result = { name: string; ok: boolean; error?: string };

/**
 * Runs the contract of `worker` (a file next to this one) in workerd with `bindings` (miniflare's
 * `kvNamespaces`, `durableObjects`, …); fails unless at least `atLeast` results came back.
 */
export async function contractInWorkerd(
  worker: string,
  bindings: Partial<MiniflareOptions>,
  atLeast: number,
): Promise<void> {
  const shim = fileURLToPath(new URL("./workerd-test.ts", import.meta.url));
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL(`./${worker}`, import.meta.url))],
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
    ...bindings,
    modules: true,
    compatibilityDate: "2025-01-01",
    compatibilityFlags: ["nodejs_compat"],
    script: bundle.outputFiles[0]!.text,
  } as MiniflareOptions);
  let results: Result[];
  try {
    const response = await mf.dispatchFetch("http://contract/");
    results = (await response.json()) as Result[];
  } finally {
    await mf.dispose();
  }
  describe("inside workerd", () => {
    it("ran the whole contract", () => {
      assert.ok(results.length >= atLeast, `only ${results.length} results`);
    });
    for (const result of results) {
      it(result.name, () => {
        if (!result.ok) assert.fail(result.error);
      });
    }
  });
}
