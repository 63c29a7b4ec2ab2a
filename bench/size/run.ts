/**
 * @module
 * `npm run size`: two Worker bundles as wrangler would build them (esbuild, minified, the
 * workerd/worker/browser conditions, package.json's `browser` map), their raw and gzip sizes, the biggest
 * contributors, and a check against the budgets in bench/size-budget.json: exit 1 when one is over.
 *
 * - the demo Worker (examples/worker.ts): the account pages, routes, KV storage, `protect`, `withApiKey`;
 * - a Worker that only checks sessions (examples/sessions-worker.ts, `@warrant/cognito/sessions`):
 *   `getSession`, `protect` and `bearer` over sessions another service made; no pages, routes or SDK.
 *
 * A size check, not a test. `--write` also rewrites bench/size/RESULTS.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { bundleForWorkers } from "../../scripts/worker-bundle.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
type Budget = { rawBytes: number; gzipBytes: number };
const budget = JSON.parse(readFileSync(new URL("../size-budget.json", import.meta.url), "utf8")) as Record<
  "workerDemo" | "sessionsOnly",
  Budget
>;

const bundles = [
  { key: "workerDemo", label: "demo Worker", entry: "examples/worker.ts" },
  { key: "sessionsOnly", label: "sessions-only Worker", entry: "examples/sessions-worker.ts" },
] as const;

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const failures: string[] = [];
const rows: string[] = [];

for (const { key, label, entry } of bundles) {
  const result = await bundleForWorkers(`${root}${entry}`, { minify: true });
  const code = result.outputFiles[0]!.contents;
  // Cloudflare's Worker size limits apply to the compressed upload; level 9 gives a figure that does not
  // move with zlib defaults.
  const raw = code.byteLength;
  const gzip = gzipSync(code, { level: 9 }).byteLength;
  const nodeImports = Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports.map((i) => i.path))
    .filter((path) => path.startsWith("node:"));
  const byPackage = new Map<string, number>();
  const output = Object.entries(Object.values(result.metafile.outputs)[0]!.inputs);
  for (const [path, { bytesInOutput }] of output) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split("/")[0]!;
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const limit = budget[key];

  console.log(`${label} (${entry}), esbuild --minify, workerd/worker/browser`);
  console.log(`  raw   ${kb(raw).padStart(9)}  (budget ${kb(limit.rawBytes)})`);
  console.log(`  gzip  ${kb(gzip).padStart(9)}  (budget ${kb(limit.gzipBytes)})`);
  console.log("  largest parts (minified, before gzip):");
  for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
    console.log(`    ${kb(bytes).padStart(9)}  ${name}`);
  }
  rows.push(
    `| ${label} | ${kb(raw)} (${raw.toLocaleString("en")} B) | ${kb(gzip)} (${gzip.toLocaleString("en")} B) | ${kb(limit.rawBytes)} / ${kb(limit.gzipBytes)} |`,
  );

  if (raw > limit.rawBytes) failures.push(`${label}: raw ${raw} B is over the budget of ${limit.rawBytes} B`);
  if (gzip > limit.gzipBytes)
    failures.push(`${label}: gzip ${gzip} B is over the budget of ${limit.gzipBytes} B`);
  if (nodeImports.length > 0) {
    failures.push(`${label} imports ${nodeImports.join(", ")} (Workers without nodejs_compat)`);
  }
  if (key === "workerDemo") {
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
      "@warrant/cognito/devices": {
        pattern: /(^|\/)src\/(devices\/|cognito\/devices\.ts)/,
        entry: "with-devices.ts",
      },
    };
    for (const [name, { pattern, entry }] of Object.entries(optional)) {
      const found = output.some(([path, { bytesInOutput }]) => bytesInOutput > 0 && pattern.test(path));
      const withIt = await bundleForWorkers(`${root}bench/size/${entry}`, { minify: true });
      const withGzip = gzipSync(withIt.outputFiles[0]!.contents, { level: 9 }).byteLength;
      console.log(
        `  optional module, not in the demo: ${name} ${found ? "FOUND" : "absent"} (importing it adds ${kb(withGzip - gzip)} gzip)`,
      );
      if (found) failures.push(`${label} holds ${name}, which it does not import`);
    }
  }
  if (key === "sessionsOnly") {
    // Files parsed on the way (the Cloudflare adapter's module also holds defineWorker) but shaken out
    // have no bytes in the output.
    const unwanted = output
      .filter(([path, { bytesInOutput }]) => bytesInOutput > 0 && /@aws-sdk\/|\/http\/routes\//.test(path))
      .map(([path]) => path);
    if (unwanted.length)
      failures.push(`${label} carries ${unwanted.length} files it must not: ${unwanted[0]}, …`);
  }
}

for (const failure of failures) console.error(`✖ ${failure}`);
if (process.argv.includes("--write")) {
  const path = new URL("RESULTS.md", import.meta.url);
  const old = readFileSync(path, "utf8");
  const table = [
    "| bundle | raw | gzip | budget (raw / gzip) |",
    "| --- | ---: | ---: | ---: |",
    ...rows,
  ].join("\n");
  writeFileSync(
    path,
    old.replace(/<!-- size -->[\s\S]*<!-- \/size -->/, `<!-- size -->\n${table}\n<!-- /size -->`),
  );
}
if (failures.length) process.exit(1);
console.log("✔ within budget");
