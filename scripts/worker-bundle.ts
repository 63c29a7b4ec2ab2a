/**
 * @module
 * Bundling for workerd the way wrangler does (esbuild, ESM, the workerd/worker/browser conditions), in one
 * place for the size check and the Workers bundle test, so both measure the same build.
 */
import { type BuildResult, build, type Plugin } from "esbuild";

/** Bundles `entry` for workerd; `minify` as a deploy would; `plugins` only for measurements. */
export function bundleForWorkers(
  entry: string,
  options: { minify?: boolean; plugins?: Plugin[] } = {},
): Promise<BuildResult<{ write: false; metafile: true }>> {
  return build({
    entryPoints: [entry],
    bundle: true,
    minify: options.minify ?? false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "error",
    plugins: options.plugins ?? [],
  });
}
