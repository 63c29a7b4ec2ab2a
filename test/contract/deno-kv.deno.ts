/**
 * The storage contract inside Deno over Deno KV (a database file in a temp folder), through the Deno
 * adapter's `denoKvStorage`. Deno only: `deno test --unstable-kv` (test/run.ts runs it).
 */
import { denoKvStorage } from "../../adapters/deno.ts";
import { storageContract } from "./suite.ts";

declare const Deno: {
  makeTempDir(options?: { prefix?: string }): Promise<string>;
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
};

storageContract({
  name: "deno-kv",
  // Deno KV expires a key by its own clock (`expireIn`): the contract's moved clock cannot age it.
  ownClock: true,
  async open() {
    const dir = await Deno.makeTempDir({ prefix: "warrant-contract-kv-" });
    const storage = denoKvStorage({ path: `${dir}/warrant.kv`, prefix: "warrant" });
    return {
      storage,
      async cleanup() {
        await storage.dispose();
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
  async broken() {
    // A database path whose folder does not exist: Deno.openKv rejects on first use.
    const dir = await Deno.makeTempDir({ prefix: "warrant-contract-kv-" });
    const storage = denoKvStorage({ path: `${dir}/missing/warrant.kv` });
    return {
      storage,
      async cleanup() {
        await storage.dispose().catch(() => {});
        await Deno.remove(dir, { recursive: true });
      },
    };
  },
});
