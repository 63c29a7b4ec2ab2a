import { createWarrant } from "@warrant/cognito";

const warrant = createWarrant({
  userPoolId: Bun.env.COGNITO_USER_POOL_ID!,
  clientId: Bun.env.COGNITO_CLIENT_ID!,
  secret: Bun.env.WARRANT_SECRET!,
});

const server = Bun.serve({
  port: Number(Bun.env.PORT ?? 3000),
  hostname: "127.0.0.1",
  fetch: warrant.handler,
});
console.log(`Listening on ${server.url}`);
