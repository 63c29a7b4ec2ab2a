/**
 * @module
 * `npm run start:bun`: the demo on Bun (`Bun.serve`), configured by the same environment variables as
 * `npm start`. Without COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID it embeds cognito-local (a Node child
 * process) with a demo user and prints the credentials.
 */
import { createWarrant } from "../src/mod.ts";
import { createDemoApp } from "./app.ts";
import type { DemoEnv } from "./config.ts";
import { banner, demoCognito, demoStorage } from "./demo.ts";

// Bun.env is an index signature of strings, which TypeScript will not match to a type of only optional keys.
const env: DemoEnv = Object.fromEntries(Object.entries(Bun.env));
const cognito = await demoCognito(env);
const warrant = createWarrant({ ...cognito.options, storage: await demoStorage(env) });
// Loopback, as `npm start` binds: the demo is for this machine.
const server = await Promise.resolve()
  .then(() =>
    Bun.serve({ port: Number(env.PORT ?? 3000), hostname: "127.0.0.1", fetch: createDemoApp(warrant) }),
  )
  .catch(async (error) => {
    // A taken port must not leave the embedded cognito-local running without us.
    await cognito.stop();
    throw error;
  });
console.log(
  banner(
    `http://localhost:${server.port}`,
    warrant.config.basePath,
    warrant.config.authFlow,
    cognito.credentials,
  ),
);

const shutdown = async () => {
  await server.stop(true);
  await cognito.stop();
  process.exit(0);
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
