// Started by bench/cold/run.ts in a fresh process: prints how long one import() of the given module takes, in ms.
const target = globalThis.Deno ? globalThis.Deno.args[0] : process.argv[2];
const start = performance.now();
await import(target);
console.log(performance.now() - start);
