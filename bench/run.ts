/**
 * @module
 * `npm run bench`: every benchmark of the project, one after another: SRP (bench/srp) and the session
 * hot path (bench/session).
 */
await import("./srp/run.ts");
await import("./session/run.ts");
