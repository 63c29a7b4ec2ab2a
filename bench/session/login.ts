/**
 * @module
 * What a login costs in session bookkeeping when the user already has n live sessions (issue 12.6):
 * `warrant.createSession` (the store's part of a login; the Cognito calls before it do not depend on n)
 * at n = 1, 1,000 and 5,000, on the default memory store and on Redis. The previous layout read and
 * rewrote one list per user (and read every listed session), so its cost grew with n.
 *
 *   npx tsx bench/session/login.ts [--write]
 *   WARRANT_MOD=/path/to/an/older/src/mod.ts npx tsx bench/session/login.ts   (the same against other code)
 *   BENCH_STORES=memory BENCH_COUNTS=1,1000 ...                              (a subset)
 *
 * `session.maxPerUser` is set to 10,000 so that 5,000 sessions can be live; the cap is then checked on one
 * login in 1,000 (its listing is in the means). Redis is REDIS_URL (default 127.0.0.1:6379), under a
 * prefix of its own that is removed afterwards.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { Redis } from "ioredis";
import { createStorage, type Storage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";

const modPath = process.env.WARRANT_MOD ?? "../../src/mod.ts";
const mod = (await import(modPath)) as typeof import("../../src/mod.ts");
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const fake = (claims: object) => `eyJhbGciOiJub25lIn0.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.sig`;
const tokens = () => ({
  idToken: fake({ sub: "bench-user" }),
  accessToken: fake({ sub: "bench-user" }),
  refreshToken: "r".repeat(1000),
  expiresAt: Date.now() + 3600_000,
});
const user = { username: "bench-user", sub: "bench-user", groups: [], email: "bench@example.com" };

async function measure(storage: Storage, live: number, logins: number) {
  const warrant = mod.createWarrant({
    userPoolId: "eu-west-1_Bench0001",
    clientId: "bench-client",
    secret: "bench-secret-0123456789-abcdefghijklmnop",
    authFlow: "USER_PASSWORD_AUTH",
    storage,
    // The previous code has no cap (and no such option).
    ...("memoryStorage" in mod ? { session: { maxPerUser: 10_000 } } : {}),
  });
  // Warm-up (JIT, the keyring's first key derivation, the store's first writes) on another user.
  for (let i = 0; i < 50; i++)
    await warrant.createSession({ user: { ...user, username: "warm-up", sub: "warm-up" }, tokens: tokens() });
  // One by one: the previous layout lost ids under parallel adds.
  for (let i = 1; i < live; i++) await warrant.createSession({ user, tokens: tokens() });
  const times: number[] = [];
  for (let i = 0; i < logins; i++) {
    const start = performance.now();
    const created = await warrant.createSession({ user, tokens: tokens() });
    times.push(performance.now() - start);
    // Keep n constant: the session just made ends again (not timed).
    await warrant.logout(
      new Request("http://localhost/", { headers: { cookie: created.cookie.split(";")[0]! } }),
    );
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, p90: times[Math.floor(times.length * 0.9)]! };
}

const rows: string[] = [];
const counts = (process.env.BENCH_COUNTS ?? "1,1000,5000").split(",").map(Number);
const stores = (process.env.BENCH_STORES ?? "memory,redis").split(",") as ("memory" | "redis")[];
const redis = new Redis(REDIS_URL, { lazyConnect: true });
await redis.connect();
for (const store of stores) {
  const cells: string[] = [];
  for (const live of counts) {
    const base = `warrant-bench-login:${process.pid}:${live}`;
    const storage =
      store === "memory"
        ? "memoryStorage" in mod
          ? mod.memoryStorage({ maxKeys: 100_000 })
          : createStorage()
        : createStorage({ driver: redisDriver({ url: REDIS_URL, base }) });
    const { median, p90 } = await measure(storage, live, 200);
    cells.push(`${median.toFixed(3)} ms (p90 ${p90.toFixed(3)})`);
    await storage.dispose();
    const left = await redis.keys(`${base}:*`);
    for (let i = 0; i < left.length; i += 1000) await redis.del(...left.slice(i, i + 1000));
  }
  rows.push(`| ${store} | ${cells.join(" | ")} |`);
}
await redis.quit();

const table = [
  `| store (${process.env.BENCH_LABEL ?? (modPath === "../../src/mod.ts" ? "this code" : modPath)}) | ${counts.map((n) => `${n.toLocaleString("en")} live`).join(" | ")} |`,
  `| --- |${counts.map(() => " ---: |").join("")}`,
  ...rows,
].join("\n");
console.log(table);
if (process.argv.includes("--write")) {
  const header = `\n## A login at n live sessions of the user (issue 12.6)\n\nCommand: \`npx tsx bench/session/login.ts --write\` · date: ${new Date().toISOString()} · ${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs, shared\n\nMedian (p90) of 200 \`warrant.createSession\` calls for one user who already has n live sessions (n grows by the 200 during the run); 1-minute load average at the end: ${loadavg()[0]!.toFixed(1)}.\n\n`;
  const file = new URL("./RESULTS.md", import.meta.url);
  if (process.argv.includes("--fresh")) writeFileSync(file, "");
  appendFileSync(file, `${header}${table}\n`);
}
