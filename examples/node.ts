/**
 * @module
 * `npm start`: the demo on Node. Without configuration it embeds cognito-local (behind an SRP responder,
 * so the default USER_SRP_AUTH flow works) with a demo user and a TOTP-protected one, and prints the
 * credentials; with COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID (and optionally COGNITO_CLIENT_SECRET,
 * COGNITO_ENDPOINT, COGNITO_AUTH_FLOW, WARRANT_SECRET, REDIS_URL, REDIS_PREFIX, PORT) it runs against them.
 */
import { modPow, serve } from "../adapters/node.ts";
import { createWarrant } from "../src/mod.ts";
import { createDemoApp } from "./app.ts";
import { banner, demoCognito, demoStorage } from "./demo.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const env = process.env;
const cognito = await demoCognito(env);
const warrant = createWarrant({ ...cognito.options, storage: await demoStorage(env), modPow });
const server = await serve(createDemoApp(warrant), { port: Number(env.PORT ?? 3000) }).catch(
  async (error) => {
    // A taken port must not leave the embedded cognito-local running without us.
    await cognito.stop();
    throw error;
  },
);
console.log(banner(server.url, warrant.config.basePath, warrant.config.authFlow, cognito.credentials));

const shutdown = async () => {
  await server.close();
  await cognito.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
