/**
 * @module
 * The SRP benchmark as a Worker, bundled by run.ts with esbuild and run in workerd through miniflare.
 *
 *   GET /cold          the first login of a fresh isolate (JIT plus the fixed-base table), in ms
 *   GET /measure       every implementation, timed inside the isolate: JSON samples
 *   GET /one, GET /none one login / nothing, for timing from outside (run.ts subtracts /none)
 *
 * workerd's clocks have a 1 ms grain (and on Cloudflare stand still between I/O), so inside the
 * isolate logins are timed in batches long enough for that grain not to matter: 10 per batch for ours.
 */
import { aws, measure, naive, ours, plan } from "./impls.ts";

const clock = () => performance.now();

export default {
  async fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/cold") {
      const start = Date.now();
      await ours.login();
      return Response.json({ cold: Date.now() - start });
    }
    if (path === "/one") return Response.json({ signature: await ours.login() });
    if (path === "/none") return Response.json({});
    if (path === "/measure") {
      const samples = [
        await measure(ours, { warmup: 30, batches: 40, perBatch: 10, clock }),
        await measure(naive, { warmup: 5, batches: 20, perBatch: 2, clock }),
        await measure(aws, { ...plan.aws, clock }),
      ];
      return Response.json({ samples });
    }
    return new Response("not found", { status: 404 });
  },
};
