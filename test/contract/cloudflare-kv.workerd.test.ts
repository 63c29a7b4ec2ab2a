/** The storage contract inside workerd (through miniflare) over a real KV namespace binding. */
import { contractInWorkerd } from "./workerd-runner.ts";

await contractInWorkerd("cloudflare-kv.worker.ts", { kvNamespaces: ["KV"] }, 8);
