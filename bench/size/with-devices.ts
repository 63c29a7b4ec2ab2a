/**
 * @module
 * The demo Worker with `@warrant/cognito/devices` imported, for `npm run size`: what the optional module
 * costs an app that uses it (the demo itself must not contain it).
 */
export { default } from "../../examples/worker.ts";
export { devices } from "../../src/devices/mod.ts";
