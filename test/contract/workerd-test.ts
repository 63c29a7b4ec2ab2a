/**
 * @module
 * Just enough of `node:test` (describe, it, before, after) for the contract suite inside workerd, which
 * has no test runner: esbuild swaps it in for `node:test` when bundling the test Worker, and `run()`
 * executes what was registered, in order, and returns one result per test.
 */
type Fn = () => unknown;
interface Suite {
  name: string;
  before: Fn[];
  after: Fn[];
  items: (Suite | { name: string; fn: Fn })[];
}

const root: Suite = { name: "", before: [], after: [], items: [] };
let current = root;

export function describe(name: string, body: () => void): void {
  const suite: Suite = { name, before: [], after: [], items: [] };
  current.items.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}

export function it(name: string, fn: Fn): void {
  current.items.push({ name, fn });
}
export const test: typeof it = it;

export function before(fn: Fn): void {
  current.before.push(fn);
}

export function after(fn: Fn): void {
  current.after.push(fn);
}

/** One test's outcome. */
export interface Result {
  name: string;
  ok: boolean;
  error?: string;
}

const message = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error);

async function runSuite(suite: Suite, prefix: string[], out: Result[]): Promise<void> {
  const path = suite.name ? [...prefix, suite.name] : prefix;
  let setupError: unknown;
  try {
    for (const hook of suite.before) await hook();
  } catch (error) {
    setupError = error;
  }
  for (const item of suite.items) {
    if ("items" in item) {
      await runSuite(item, path, out);
      continue;
    }
    const name = [...path, item.name].join(" > ");
    if (setupError) {
      out.push({ name, ok: false, error: `before() failed: ${message(setupError)}` });
      continue;
    }
    try {
      await item.fn();
      out.push({ name, ok: true });
    } catch (error) {
      out.push({ name, ok: false, error: message(error) });
    }
  }
  for (const hook of suite.after) {
    try {
      await hook();
    } catch (error) {
      out.push({ name: [...path, "after()"].join(" > "), ok: false, error: message(error) });
    }
  }
}

/** Runs everything registered so far. */
export async function run(): Promise<Result[]> {
  const out: Result[] = [];
  await runSuite(root, [], out);
  return out;
}
