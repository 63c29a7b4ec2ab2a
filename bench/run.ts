/**
 * @module
 * `npm run bench`: every benchmark of the project, one after another (never two at once): SRP
 * (bench/srp), the session hot path, a login at 1 / 1,000 / 5,000 live sessions and where a protected
 * request's time goes (bench/session), the Node adapter against srvx and node:http
 * (bench/node), a protected request under Bun.serve against a hand-made floor (bench/bun), ours beside the peers on Node, Bun and Deno (bench/peers, bench/RESULTS.md) and cold
 * start in workerd and module evaluation (bench/cold; it builds dist/ first, since Node's figure is for
 * the package as npm installs it).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

await import("./srp/run.ts");
await import("./session/run.ts");
await import("./session/login.ts");
await import("./session/profile.ts");
await import("./node/run.ts");
await import("./bun/run.ts");
await import("./peers/run.ts");
const build = spawnSync(process.execPath, ["--import", "tsx", "scripts/build.ts"], {
  cwd: fileURLToPath(new URL("../", import.meta.url)),
  stdio: "inherit",
});
if (build.status !== 0) throw new Error("npm run build failed");
await import("./cold/run.ts");
