/**
 * @module
 * One server of the Bun.serve benchmark (issue 12 item 4), run by the real Bun binary in its own process:
 * `bun bench/bun/server.ts <kind>`. It makes a session through the library's own API first (a warrant
 * over an unstorage memory storage, `createSession` from `@warrant/cognito/testing`), then serves, and
 * prints one JSON line: `{ "url": …, "cookie": … }`.
 *
 * kinds:
 * - `bare`: `new Response("ok")`, nothing read: what Bun.serve itself costs.
 * - `floor`: the least a session check can do by hand: the session cookie out of the `Cookie` header,
 *   one synchronous SHA-256 of it with Bun's own native hasher (`Bun.SHA256.hash(token, "hex")`:
 *   about 0.2 µs, where a JavaScript SHA-256 takes 1-2 µs; `@oslojs/crypto`'s, tried first, is sometimes
 *   left unoptimised by JavaScriptCore for a whole process, 2-3× the floor's cost), one read of that key
 *   from the same unstorage memory storage; 200 "ok" when a record is there, else 401.
 * - `ours`: `warrant.protect(() => new Response("ok"))` over that storage, with `adapters/bun`'s `sha256Hex`
 *   (the same native hasher as the floor's) as the `sha256Hex` option.
 *
 * `BENCH_PROFILE=<n>` instead times `n` calls of the kind's `fetch` in this process, without the network,
 * and prints µs per call (for profiling: `bun --cpu-prof bench/bun/server.ts ours`).
 */
import { createStorage } from "unstorage";
import memoryDriver from "unstorage/drivers/memory";
import { sha256Hex } from "../../adapters/bun.ts";
import { createWarrant } from "../../src/mod.ts";
import { createSession } from "../../src/testing.ts";

const kind = process.argv[2] as "bare" | "floor" | "ours";
const storage = createStorage({ driver: memoryDriver() });
const warrant = createWarrant({
  userPoolId: "eu-west-1_Bench0001",
  clientId: "bench-client",
  secret: "bench-secret-0123456789-abcdefghijklmnop",
  storage,
  // As the README tells Bun apps: the session check's hash in Bun's native hasher, like the floor's.
  sha256Hex,
});
const session = await createSession(warrant, { username: "bench-user", email: "bench@example.com" });
const name = `${warrant.config.session.cookieName}=`;

async function floor(request: Request): Promise<Response> {
  const header = request.headers.get("cookie") ?? "";
  const after = header.indexOf(`; ${name}`);
  const at = header.startsWith(name) ? 0 : after < 0 ? -1 : after + 2;
  if (at < 0) return new Response(null, { status: 401 });
  const end = header.indexOf(";", at);
  const token = header.slice(at + name.length, end < 0 ? undefined : end);
  const id = Bun.SHA256.hash(token, "hex");
  const record = await storage.getItem(`sessions:${id}`);
  return record === null ? new Response(null, { status: 401 }) : new Response("ok");
}

const handlers = {
  bare: () => new Response("ok"),
  floor,
  ours: warrant.protect(() => new Response("ok")),
};
const fetch = handlers[kind];
if (!fetch) throw new Error(`unknown kind ${kind}: bare, floor or ours`);

// Each server must answer the benchmark's request with 200 before it is measured.
const probe = new Request("http://127.0.0.1/app", { headers: { cookie: `theme=dark; ${session.cookie}` } });
const answer = await fetch(probe);
if (answer.status !== 200) throw new Error(`${kind} answers ${answer.status} to a signed-in request`);
if ((await fetch(new Request("http://127.0.0.1/app"))).status === 200 && kind !== "bare")
  throw new Error(`${kind} lets an anonymous request in`);

const profile = Number(process.env.BENCH_PROFILE ?? 0);
if (profile > 0) {
  for (let i = 0; i < profile / 5; i++) await (await fetch(probe)).text();
  const start = performance.now();
  for (let i = 0; i < profile; i++) await (await fetch(probe)).text();
  console.log(`${kind}: ${(((performance.now() - start) / profile) * 1000).toFixed(2)} µs per call`);
  process.exit(0);
}

const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch });
console.log(
  JSON.stringify({ url: `http://127.0.0.1:${server.port}`, cookie: `theme=dark; ${session.cookie}` }),
);
process.on("SIGTERM", () => process.exit(0));
