/**
 * @module
 * The hot path of every protected request: `warrant.getSession(request)` and a whole
 * `warrant.protect(handler)` request, with sessions in the default store (memoryStorage, in-process: so
 * the figure is the library's own cost, not a network's). No Cognito is involved: the session is created from tokens made
 * up for the benchmark, and the clock never reaches their expiry, so no refresh happens.
 *
 *   npx tsx bench/session/run.ts        (also part of `npm run bench`)
 *
 * For scale it also times, in the same run, the two steps this path avoids: one AES-GCM decryption of
 * the stored tokens through Web Crypto and one Web Crypto SHA-256 of the cookie (both async).
 */
import { writeFileSync } from "node:fs";
import { createWarrant } from "../../src/mod.ts";

const warrant = createWarrant({
  userPoolId: "eu-west-1_Bench0001",
  clientId: "bench-client",
  secret: "bench-secret-0123456789-abcdefghijklmnop",
  authFlow: "USER_PASSWORD_AUTH",
});
const fake = (claims: object) => `eyJhbGciOiJub25lIn0.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.sig`;
const created = await warrant.createSession({
  user: { username: "bench-user", sub: "bench-user", groups: [], email: "bench@example.com" },
  tokens: {
    idToken: fake({ sub: "bench-user" }),
    accessToken: fake({ sub: "bench-user" }),
    refreshToken: "r".repeat(1000),
    expiresAt: Date.now() + 3600_000,
  },
});
const cookie = created.cookie.split(";")[0]!;
const request = new Request("http://localhost/app", { headers: { cookie } });
const app = warrant.protect((_r, { user }) => new Response(user.username));

async function time(label: string, n: number, work: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(2000, n / 5); i++) await work();
  const samples: number[] = [];
  const batch = 100;
  for (let i = 0; i < n / batch; i++) {
    const start = performance.now();
    for (let j = 0; j < batch; j++) await work();
    samples.push(((performance.now() - start) / batch) * 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    label,
    n,
    median: samples[Math.floor(samples.length / 2)]!,
    p90: samples[Math.floor(samples.length * 0.9)]!,
  };
}

const session = await warrant.getSession(request);
if (!session) throw new Error("benchmark session not found");
const key = await crypto.subtle.importKey(
  "raw",
  crypto.getRandomValues(new Uint8Array(32)),
  "AES-GCM",
  false,
  ["encrypt", "decrypt"],
);
const iv = crypto.getRandomValues(new Uint8Array(12));
const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, new Uint8Array(3000));
const cookieBytes = new TextEncoder().encode(cookie);

const rows = [
  await time("warrant.getSession(request)", 50_000, () => warrant.getSession(request)),
  await time("warrant.protect(handler)(request), whole request", 50_000, () => app(request)),
  await time("anonymous request (no cookie) through protect", 50_000, () =>
    app(new Request("http://localhost/app")),
  ),
  await time("for scale: one Web Crypto AES-GCM decrypt of 3 KB", 20_000, () =>
    crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed),
  ),
  await time("for scale: one Web Crypto SHA-256 of the cookie", 20_000, () =>
    crypto.subtle.digest("SHA-256", cookieBytes),
  ),
];

const runtime =
  typeof (globalThis as { Bun?: unknown }).Bun !== "undefined"
    ? "bun"
    : typeof (globalThis as { Deno?: unknown }).Deno !== "undefined"
      ? "deno"
      : `node ${process.version}`;
const table = [
  `| what (${runtime}) | calls | median µs | p90 µs |`,
  "| --- | --- | --- | --- |",
  ...rows.map((r) => `| ${r.label} | ${r.n} | ${r.median.toFixed(2)} | ${r.p90.toFixed(2)} |`),
].join("\n");
console.log(table);
if (process.argv.includes("--write")) {
  writeFileSync(
    new URL("./RESULTS.md", import.meta.url),
    `# Session hot path\n\nCommand: \`npx tsx bench/session/run.ts --write\` · date: ${new Date().toISOString()} · 2 CPUs\n\n${table}\n\nMedian and p90 of per-call means over batches of 100 sequential calls, after warm-up. Sessions live in the default store (memoryStorage). bench/session/login.ts and profile.ts append below.\n`,
  );
}
