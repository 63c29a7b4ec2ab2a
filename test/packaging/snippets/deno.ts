import { createWarrant } from "@warrant/cognito";
import { denoKvStorage } from "@warrant/cognito/adapters/deno";

const warrant = createWarrant({
  userPoolId: Deno.env.get("COGNITO_USER_POOL_ID")!,
  clientId: Deno.env.get("COGNITO_CLIENT_ID")!,
  secret: Deno.env.get("WARRANT_SECRET")!,
  storage: denoKvStorage({ path: "./warrant.kv" }), // run with --unstable-kv
});

Deno.serve({ port: Number(Deno.env.get("PORT") ?? 3000), hostname: "127.0.0.1" }, warrant.handler);
