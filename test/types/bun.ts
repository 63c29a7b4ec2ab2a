/**
 * @module
 * Type check only (tsconfig.bun.json, under `bun-types`): what adapters/bun.ts returns fits `Bun.serve`,
 * and Bun's `server` reaches the app typed, though the adapter itself imports no Bun types.
 */
import { route } from "../../adapters/bun.ts";
import { createWarrant } from "../../src/mod.ts";

const warrant = createWarrant({ userPoolId: "eu-west-1_Types", clientId: "types", secret: "x".repeat(32) });

export const server: Bun.Server<undefined> = Bun.serve({
  port: 0,
  fetch: route(warrant, (request, server) => new Response(server.requestIP(request)?.address ?? "")),
});
