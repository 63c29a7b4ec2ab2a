/**
 * @module
 * `npm run size`: the Workers bundle of the demo (examples/worker.ts) as wrangler would build it (esbuild,
 * minified, the workerd/worker/browser conditions), its raw and gzip sizes, the biggest contributors,
 * and a check against the budget in bench/size-budget.json: exit 1 when over. A size check, not a test.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const budget = JSON.parse(readFileSync(new URL("../size-budget.json", import.meta.url), "utf8")) as {
  workerDemo: { rawBytes: number; gzipBytes: number };
};

const result = await bundleForWorkers(`${root}examples/worker.ts`, { minify: true });
const code = result.outputFiles[0]!.contents;
// Cloudflare's Worker size limits apply to the compressed upload; level 9 gives a figure that does not move
// with zlib defaults.
const raw = code.byteLength;
const gzip = gzipSync(code, { level: 9 }).byteLength;
const nodeImports = Object.values(result.metafile.inputs)
  .flatMap((input) => input.imports.map((i) => i.path))
  .filter((path) => path.startsWith("node:"));

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const output = Object.values(result.metafile.outputs)[0]!;
const byPackage = new Map<string, number>();
for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split("/")[0]!;
  byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
}

console.log("Workers bundle of the demo (examples/worker.ts), esbuild --minify, workerd/worker/browser");
console.log(`  raw   ${kb(raw).padStart(9)}  (budget ${kb(budget.workerDemo.rawBytes)})`);
console.log(`  gzip  ${kb(gzip).padStart(9)}  (budget ${kb(budget.workerDemo.gzipBytes)})`);
console.log("  largest parts (minified, before gzip):");
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
  console.log(`    ${kb(bytes).padStart(9)}  ${name}`);
}

// Optional modules stay out of the demo: an app that does not import them bundles none of their bytes.
const optional = {
  "@warrant/cognito/api-gateway": {
    pattern: /(^|\/)src\/api-gateway\/|@aws-sdk\/client-api-gateway/,
    entry: "with-api-gateway.ts",
  },
  "@warrant/cognito/passkeys": {
    pattern: /(^|\/)src\/(passkeys\/|cognito\/passkeys\.ts)/,
    entry: "with-passkeys.ts",
  },
  "@warrant/cognito/managed-login": {
    pattern: /(^|\/)src\/managed-login\//,
    entry: "with-managed-login.ts",
  },
};
const inputs = Object.keys(output.inputs);
const leaked = Object.entries(optional).filter(([, { pattern }]) =>
  inputs.some((path) => pattern.test(path)),
);
for (const [name, { pattern, entry }] of Object.entries(optional)) {
  const withIt = await bundleForWorkers(`${root}bench/size/${entry}`, { minify: true });
  const withGzip = gzipSync(withIt.outputFiles[0]!.contents, { level: 9 }).byteLength;
  const found = inputs.some((path) => pattern.test(path));
  console.log(
    `  optional module, not in the demo: ${name} ${found ? "FOUND" : "absent"} (importing it adds ${kb(withGzip - gzip)} gzip)`,
  );
}

const failures = [
  ...leaked.map(([name]) => `the demo bundle holds ${name}, which it does not import`),
  raw > budget.workerDemo.rawBytes && `raw ${raw} B is over the budget of ${budget.workerDemo.rawBytes} B`,
  gzip > budget.workerDemo.gzipBytes &&
    `gzip ${gzip} B is over the budget of ${budget.workerDemo.gzipBytes} B`,
  nodeImports.length > 0 && `the bundle imports ${nodeImports.join(", ")} (Workers without nodejs_compat)`,
].filter(Boolean);
for (const failure of failures) console.error(`✖ ${failure}`);
if (failures.length) process.exit(1);
console.log("✔ within budget");
