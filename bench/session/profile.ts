/**
 * @module
 * Where the time of a protected request goes (issue 12.4), step by step, in one process: the cookie's
 * SHA-256, the storage reads of the session check (record, last seen, the user's revocation time), the
 * storage deadline guard (a timer per call: what a store that could hang pays; the in-process default
 * store skips it), the JSON the record costs now that the sealed tokens live apart, and the request id.
 *
 *   npx tsx bench/session/profile.ts [--write]   (appends to bench/session/RESULTS.md)
 */
import { appendFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createStorage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";
import { newRequestId } from "../../src/events.ts";
import { createWarrant, memoryStorage } from "../../src/mod.ts";
import { keys, sessionId } from "../../src/sessions/store.ts";
import { createStore } from "../../src/storage.ts";

const fake = (claims: object) => `eyJhbGciOiJub25lIn0.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.sig`;
const storage = memoryStorage();
const warrant = createWarrant({
  userPoolId: "eu-west-1_Bench0001",
  clientId: "bench-client",
  secret: "bench-secret-0123456789-abcdefghijklmnop",
  storage,
});
const created = await warrant.createSession({
  user: { username: "bench-user", sub: "bench-user", groups: [], email: "bench@example.com" },
  tokens: {
    // Cognito-sized tokens: ~1 KB access and ID tokens, a ~1.8 KB refresh token.
    idToken: fake({ sub: "bench-user", pad: "i".repeat(900) }),
    accessToken: fake({ sub: "bench-user", pad: "a".repeat(900) }),
    refreshToken: "r".repeat(1800),
    expiresAt: Date.now() + 3600_000,
  },
});
const token = created.token;
const id = created.session.id;
const request = new Request("http://localhost/app", { headers: { cookie: created.cookie.split(";")[0]! } });
const app = warrant.protect((_r, { user }) => new Response(user.username));

const fast = createStore(storage, 3000);
// The same memory driver under another name: the store then guards every call with a timer.
const guarded = createStore(createStorage({ driver: { ...memoryDriver(), name: "guarded-memory" } }), 3000);
const record = await storage.getItem(keys.session(id));
const sealed = await storage.getItem(keys.tokens(id));
await guarded.set(keys.session(id), record);
const recordJson = JSON.stringify(record);
// What a record was before: the sealed tokens inside it.
const oldJson = JSON.stringify({ ...(record as object), tokens: sealed });

async function time(label: string, work: () => unknown, n = 50_000) {
  for (let i = 0; i < n / 5; i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < n / 100; i++) {
    const start = performance.now();
    for (let j = 0; j < 100; j++) await work();
    samples.push(((performance.now() - start) / 100) * 1000);
  }
  samples.sort((a, b) => a - b);
  return `| ${label} | ${samples[Math.floor(samples.length / 2)]!.toFixed(2)} |`;
}

const rows = [
  await time("warrant.protect(handler)(request), whole request", () => app(request)),
  await time("warrant.getSession(request)", () => warrant.getSession(request)),
  await time("sessionId(cookie token): sync SHA-256", () => sessionId(token)),
  await time("one store.get, default store (no deadline timer)", () => fast.get(keys.session(id))),
  await time("one store.get, a store with a deadline (timer per call)", () => guarded.get(keys.session(id))),
  await time("three store.get (the reads of one session check), default store", () =>
    Promise.all([
      fast.get(keys.session(id)),
      fast.get(keys.seen(id)),
      fast.get(`user-revoked:${"0".repeat(64)}`),
    ]),
  ),
  await time(`JSON.parse of the record (${recordJson.length} B)`, () => JSON.parse(recordJson)),
  await time(`JSON.parse of the record with its tokens, as before (${oldJson.length} B)`, () =>
    JSON.parse(oldJson),
  ),
  await time("newRequestId()", () => newRequestId()),
];
const runtime =
  typeof (globalThis as { Bun?: unknown }).Bun !== "undefined" ? "bun" : `node ${process.version}`;
const table = [`| step (${runtime}) | median µs |`, "| --- | ---: |", ...rows].join("\n");
console.log(table);
if (process.argv.includes("--write")) {
  appendFileSync(
    new URL("./RESULTS.md", import.meta.url),
    `\n## Where a protected request's time goes (issue 12.4)\n\nCommand: \`npx tsx bench/session/profile.ts --write\` · date: ${new Date().toISOString()} · ${cpus()[0]?.model ?? "?"}, ${cpus().length} CPUs, shared\n\nMedian of per-call means over batches of 100, after warm-up; the default store (memoryStorage); 1-minute load average at the end: ${loadavg()[0]!.toFixed(1)}.\n\n${table}\n`,
  );
}
