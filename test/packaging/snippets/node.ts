import { createWarrant } from "@warrant/cognito";
import { serve } from "@warrant/cognito/adapters/node";

const warrant = createWarrant({
  userPoolId: process.env.COGNITO_USER_POOL_ID!, // e.g. eu-west-1_AbC123: the region comes from it
  clientId: process.env.COGNITO_CLIENT_ID!,
  secret: process.env.WARRANT_SECRET!, // 32+ characters: encrypts tokens at rest, keys CSRF tokens
});
const home = warrant.protect((_request, { user }) => new Response(`Hello ${user.username}`));

const server = await serve(
  async (request) => {
    const response = await warrant.handler(request); // the account pages under /accounts
    return response.status === 404 ? home(request) : response;
  },
  { port: Number(process.env.PORT ?? 3000) },
);
console.log(`Listening on ${server.url}`);
