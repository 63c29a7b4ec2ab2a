/**
 * @module
 * Starts the demo (examples/) on one runtime as its own start command would, on a free loopback port,
 * and stops it with everything it started. Each server runs in its own process group so that a stop, or
 * this process exiting, also ends what the server spawned (wrangler's workerd).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../support/cognito-local.ts";

export type Runtime = "node" | "bun" | "deno" | "workers";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** The command behind `npm start`, `npm run start:bun`, `start:deno` and `start:workers`. */
export const commands: Record<Runtime, string[]> = {
  node: [process.execPath, "--import", "tsx", "examples/node.ts"],
  bun: [bin("bun"), "examples/bun.ts"],
  deno: [bin("deno"), "run", "-A", "examples/deno.ts"],
  workers: [process.execPath, "--import", "tsx", "examples/workers.ts"],
};

export interface DemoServer {
  url: string;
  /** Everything the server printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {}
}

/**
 * Starts the demo on `runtime` with `env` added to this process's environment (PORT is chosen here) and
 * waits until it answers HTTP.
 */
export function startDemo(runtime: Runtime, env: Record<string, string | undefined>): Promise<DemoServer> {
  const [command, ...args] = commands[runtime];
  return startServer(`the ${runtime} demo`, command!, args, { env });
}

/**
 * Starts any server that takes its port from PORT, in `cwd` (default: the repository), and waits until
 * it answers HTTP on 127.0.0.1.
 */
export async function startServer(
  label: string,
  command: string,
  args: string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; port?: number } = {},
): Promise<DemoServer> {
  const port = options.port ?? (await freePort());
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      NO_COLOR: "1",
      ...options.env,
      PORT: String(port),
    },
  });
  running.add(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Whatever the server started and left behind goes with the group.
    killGroup(child, "SIGKILL");
    running.delete(child);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${label} exited (${child.exitCode}):\n${output}`);
    }
    try {
      await (await fetch(`${url}/accounts/session`)).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${label} did not answer within 60 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, output: () => output, stop };
}
