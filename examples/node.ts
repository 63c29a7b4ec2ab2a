/**
 * @module
 * `npm start`: the demo on Node. Without configuration it embeds cognito-local with a demo user and
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
import { startEmbeddedCognito } from "./embedded.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const env = process.env;
const storage = env.REDIS_URL
  ? createStorage({ driver: redisDriver({ url: env.REDIS_URL, base: "warrant-demo" }) })
  : createStorage();

let options = optionsFromEnv(env);
let stop = async () => {};
let credentials: { username: string; password: string } | undefined;
if (!options) {
  const embedded = await startEmbeddedCognito();
  stop = embedded.cognito.stop;
  credentials = { username: embedded.username, password: embedded.password };
  options = {
    userPoolId: embedded.pool.userPoolId,
    clientId: embedded.pool.clientId,
    endpoint: embedded.cognito.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    authFlow: "USER_PASSWORD_AUTH",
    secret: env.WARRANT_SECRET ?? randomSecret(),
  };
}

const warrant = createWarrant({ ...options, storage });
const server = await serve(createDemoApp(warrant), { port: Number(env.PORT ?? 3000) });
console.log(`@warrant/cognito demo on ${server.url}`);
console.log(`  sign in at ${server.url}${warrant.config.basePath}/login`);
if (credentials) {
  console.log(`  demo user: ${credentials.username}`);
  console.log(`  password:  ${credentials.password}`);
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
