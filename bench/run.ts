/**
 * @module
 * `npm run bench`: every benchmark of the project, one after another. So far: SRP (bench/srp).
 */
await import("./srp/run.ts");
