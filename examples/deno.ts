/**
 * @module
 * `npm run start:deno`: the demo on Deno (`Deno.serve`), configured by the same environment variables as
 * `npm start`. Without COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID it embeds cognito-local (a Node child
 * process) with a demo user and prints the credentials.
 */
import { createWarrant } from "../src/mod.ts";
import { createDemoApp } from "./app.ts";
import { banner, demoCognito, demoStorage } from "./demo.ts";

const env = Deno.env.toObject();
const cognito = await demoCognito(env);
const warrant = createWarrant({ ...cognito.options, storage: await demoStorage(env) });
// Loopback, as `npm start` binds: the demo is for this machine.
const server = await Promise.resolve()
  .then(() =>
    Deno.serve(
      { port: Number(env.PORT ?? 3000), hostname: "127.0.0.1", onListen: () => {} },
      createDemoApp(warrant),
    ),
  )
  .catch(async (error) => {
    // A taken port must not leave the embedded cognito-local running without us.
    await cognito.stop();
    throw error;
  });
console.log(
  banner(
    `http://localhost:${server.addr.port}`,
    warrant.config.basePath,
    warrant.config.authFlow,
    cognito.credentials,
  ),
);

const shutdown = async () => {
  await server.shutdown();
  await cognito.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", shutdown);
Deno.addSignalListener("SIGTERM", shutdown);
