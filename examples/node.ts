/**
 * @module
 * `npm start`: the demo on Node. Without configuration it embeds cognito-local (behind an SRP responder,
 * so the default USER_SRP_AUTH flow works) with a demo user and a TOTP-protected one, and
 * prints the credentials; with COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and optionally
 * COGNITO_CLIENT_SECRET, COGNITO_ENDPOINT, COGNITO_AUTH_FLOW, WARRANT_SECRET, REDIS_URL, PORT) it runs
 * against them.
 */
import { createStorage } from "unstorage";
import redisDriver from "unstorage/drivers/redis";
import { serve } from "../adapters/node.ts";
import { createWarrant } from "../src/mod.ts";
import { createDemoApp } from "./app.ts";
import { optionsFromEnv, randomSecret } from "./config.ts";
import { demoTotpIssuer, type EmbeddedCognito, startEmbeddedCognito } from "./embedded.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const env = process.env;
const storage = env.REDIS_URL
  ? createStorage({ driver: redisDriver({ url: env.REDIS_URL, base: "warrant-demo" }) })
  : createStorage();

let options = optionsFromEnv(env);
let stop = async () => {};
let embedded: EmbeddedCognito | undefined;
if (!options) {
  embedded = await startEmbeddedCognito();
  stop = embedded.stop;
  // No authFlow: the library's default, USER_SRP_AUTH, answered by the embedded SRP responder.
  options = {
    userPoolId: embedded.pool.userPoolId,
    clientId: embedded.pool.clientId,
    endpoint: embedded.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    totpIssuer: demoTotpIssuer,
    secret: env.WARRANT_SECRET ?? randomSecret(),
  };
}

const warrant = createWarrant({ ...options, storage });
const server = await serve(createDemoApp(warrant), { port: Number(env.PORT ?? 3000) });
console.log(`@warrant/cognito demo on ${server.url}`);
console.log(`  sign in at ${server.url}${warrant.config.basePath}/login (${warrant.config.authFlow})`);
if (embedded) {
  const { user, totpUser } = embedded;
  console.log(`  demo user: ${user.username}`);
  console.log(`  password:  ${user.password}`);
  console.log(`  two-step user: ${totpUser.username}`);
  console.log(`  password:      ${totpUser.password}`);
  console.log(`  TOTP secret:   ${totpUser.secret}  (add it to an authenticator app)`);
  console.log(`  otpauth URI:   ${totpUser.uri}`);
  console.log(
    "  (embedded cognito-local; set COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID to use your own pool)",
  );
}

const shutdown = async () => {
  await server.close();
  await stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
