/**
 * @module
 * `npm run start:workers`: the demo Worker (examples/worker.ts) in workerd through `wrangler dev`, with
 * the KV namespace simulated locally. It reads the same environment variables as `npm start` and passes
 * them to the Worker as `--var`s; without COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID it first starts an
 * embedded cognito-local with a demo user (Workers cannot start processes) and prints the credentials.
 * REDIS_URL does not apply: the Worker keeps users and sessions in KV.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomSecret } from "./config.ts";
import { banner, demoCognito } from "./demo.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const root = fileURLToPath(new URL("../", import.meta.url));
const env = process.env;
const port = Number(env.PORT ?? 3000);
const cognito = await demoCognito(env);
const options = cognito.options;
const credentials =
  typeof options.credentials === "object" && "accessKeyId" in options.credentials
    ? options.credentials
    : undefined;
const vars: Record<string, string | undefined> = {
  COGNITO_USER_POOL_ID: options.userPoolId,
  COGNITO_CLIENT_ID: options.clientId,
  COGNITO_CLIENT_SECRET: options.clientSecret,
  COGNITO_ENDPOINT: options.endpoint,
  COGNITO_AUTH_FLOW: options.authFlow ?? "USER_SRP_AUTH",
  // The Worker refuses a per-isolate random secret; one per launch is what `npm start` has too.
  WARRANT_SECRET: env.WARRANT_SECRET ?? randomSecret(),
  AWS_ACCESS_KEY_ID: credentials?.accessKeyId ?? env.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: credentials?.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY,
};
// Local KV lives in a temp folder per launch, like the in-memory store of `npm start`.
const state = mkdtempSync(join(tmpdir(), "warrant-workers-demo-"));

const wrangler: ChildProcess = spawn(
  join(root, "node_modules/.bin/wrangler"),
  [
    "dev",
    "--config",
    join(root, "examples/wrangler.toml"),
    "--local",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--persist-to",
    state,
    "--show-interactive-dev-session=false",
    "--log-level",
    env.WRANGLER_LOG ?? "warn",
    // wrangler splits each --var at its first colon, so values may contain colons (URLs).
    ...Object.entries(vars).flatMap(([key, value]) => (value ? ["--var", `${key}:${value}`] : [])),
  ],
  {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      // The demo never reads request.cf, so wrangler need not fetch one from Cloudflare at startup.
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      ...env,
      WRANGLER_SEND_METRICS: "false",
    },
  },
);

let stopping = false;
const shutdown = async (code = 0) => {
  if (stopping) return;
  stopping = true;
  // A signal sent to the whole process group may have ended wrangler already (exitCode stays null then).
  if (wrangler.exitCode === null && wrangler.signalCode === null) {
    const exited = new Promise((r) => wrangler.once("exit", r));
    wrangler.kill("SIGTERM");
    await exited;
  }
  rmSync(state, { recursive: true, force: true });
  await cognito.stop();
  process.exit(code);
};
process.once("SIGINT", () => void shutdown());
process.once("SIGTERM", () => void shutdown());
wrangler.once("exit", (code) => void shutdown(code ?? 1));

const url = `http://127.0.0.1:${port}`;
for (let tries = 0; ; tries++) {
  try {
    await (await fetch(`${url}/accounts/session`)).arrayBuffer();
    break;
  } catch {
    if (tries > 600) {
      console.error("wrangler dev did not answer within a minute");
      await shutdown(1);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
console.log(
  banner(
    `http://localhost:${port}`,
    "/accounts",
    vars.COGNITO_AUTH_FLOW ?? "USER_SRP_AUTH",
    cognito.credentials,
  ),
);
