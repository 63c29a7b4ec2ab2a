/**
 * The counter contract inside workerd (through miniflare) over a real Durable Object namespace bound to
 * the adapter's WarrantCounters.
 */
import { contractInWorkerd } from "./workerd-runner.ts";

await contractInWorkerd("counters.worker.ts", { durableObjects: { COUNTERS: "WarrantCounters" } }, 5);
