/**
 * @module
 * `npm run bench`: every benchmark of the project, one after another: SRP (bench/srp), the session
 * hot path (bench/session) and the Node adapter against srvx and node:http (bench/node).
 */
await import("./srp/run.ts");
await import("./session/run.ts");
await import("./node/run.ts");
