/**
 * @module
 * The few checks the options schema is built of (`options-schema.ts`): a value's type, then its rules,
 * each failure with the message of that option, at the path of the value that failed. Valibot's
 * semantics where the options meet them (a union reports the branch whose type matched; a strict object
 * names the first unknown key after its entries), in a fraction of its bytes: `@warrant/cognito/sessions`
 * checks every option too and should not carry a schema library for it (issue 12's 25 KB).
 */

/** What failed: the path from the options, the message, and whether the value had the right type. */
export interface Issue {
  path: (string | number)[];
  message: string;
  /** The type matched and a rule (a pattern, a minimum) did not: a union reports this branch. */
  typed: boolean;
}

/** Checks one value: `undefined` when it passes. */
export type Check = ((value: unknown) => Issue | undefined) & { optional?: true };

function at(key: string | number, issue: Issue): Issue {
  issue.path.unshift(key);
  return issue;
}

/**
 * A type test, then rules on a value of that type (each `[test, message]`).
 *
 * @example
 * ```ts
 * const seconds = is((x) => typeof x === "number", "must be a number", [(x) => x > 0, "must be positive"]);
 * seconds(-1); // { path: [], message: "must be positive", typed: true }
 * ```
 */
export function is<T>(
  type: (value: unknown) => boolean,
  message: string,
  ...rules: [(value: T) => boolean, string][]
): Check {
  return (value) => {
    if (!type(value)) return { path: [], message, typed: false };
    for (const [test, ruleMessage] of rules) {
      if (!test(value as T)) return { path: [], message: ruleMessage, typed: true };
    }
    return undefined;
  };
}

/**
 * A string, then rules.
 *
 * @example
 * ```ts
 * string("must be a path", [(x) => x.startsWith("/"), "must start with /"])("a"); // typed issue
 * ```
 */
export const string = (message: string, ...rules: [(value: string) => boolean, string][]): Check =>
  is<string>((x) => typeof x === "string", message, ...rules);

/**
 * A number (not NaN), then rules.
 *
 * @example
 * ```ts
 * number("must be a number of ms", [(x) => x >= 1, "must be positive"])(0); // typed issue
 * ```
 */
export const number = (message: string, ...rules: [(value: number) => boolean, string][]): Check =>
  is<number>((x) => typeof x === "number" && !Number.isNaN(x), message, ...rules);

/**
 * A function.
 *
 * @example
 * ```ts
 * fn("must be a function")(5); // { path: [], message: "must be a function", typed: false }
 * ```
 */
export const fn = (message: string): Check => is((x) => typeof x === "function", message);

/**
 * One of `values`.
 *
 * @example
 * ```ts
 * oneOf(["debug", "info"], "must be a level")("loud"); // an issue
 * ```
 */
export const oneOf = (values: readonly unknown[], message: string): Check =>
  is((x) => values.includes(x), message);

/**
 * `undefined`, or what `check` accepts; a key with it may be absent.
 *
 * @example
 * ```ts
 * optional(fn("must be a function"))(undefined); // undefined: passes
 * ```
 */
export function optional(check: Check): Check {
  const optionalCheck: Check = (value) => (value === undefined ? undefined : check(value));
  optionalCheck.optional = true;
  return optionalCheck;
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null;

/** Runs checks on parts of a value: the first issue, typed only when every failing part was. */
function firstOf(parts: Iterable<[string | number, Issue | undefined]>): Issue | undefined {
  let first: Issue | undefined;
  for (const [key, issue] of parts) {
    if (!issue) continue;
    first ??= at(key, issue);
    if (!issue.typed) first.typed = false;
  }
  return first;
}

/**
 * An array of what `item` accepts, then rules on the array.
 *
 * @example
 * ```ts
 * array(fn("must be a function"), "must be an array")([() => 1, 2]); // path [1]
 * ```
 */
export function array(
  item: Check,
  message: string,
  ...rules: [(value: unknown[]) => boolean, string][]
): Check {
  const type = is<unknown[]>(Array.isArray, message, ...rules);
  return (value) => {
    const items = Array.isArray(value) ? firstOf(value.map((x, i) => [i, item(x)])) : undefined;
    return items ?? type(value);
  };
}

/**
 * An object with `entries`: each checked in order, a missing one "is required" unless optional; with
 * `unknown`, a key outside them is the first issue after the entries' (a strict object).
 *
 * @example
 * ```ts
 * object({ hops: number("must be a number") }, "must be an object", "is not a known option")({ hop: 1 });
 * // { path: ["hops"], message: "is required", typed: false }
 * ```
 */
export function object(entries: Record<string, Check>, message: string, unknown?: string): Check {
  return (value) => {
    if (!isObject(value)) return { path: [], message, typed: false };
    function* parts(input: Record<string, unknown>): Generator<[string, Issue | undefined]> {
      for (const [key, check] of Object.entries(entries)) {
        if (key in input) yield [key, check(input[key])];
        else if (!check.optional) yield [key, { path: [], message: "is required", typed: false }];
      }
      if (unknown === undefined) return;
      for (const key in input) {
        if (!Object.hasOwn(entries, key)) return yield [key, { path: [], message: unknown, typed: false }];
      }
    }
    return firstOf(parts(value));
  };
}

/**
 * An object whose own keys pass `key` and whose values pass `item`.
 *
 * @example
 * ```ts
 * record(string("must be a string"), string("must be a string"), "must be an object")({ a: 1 }); // path ["a"]
 * ```
 */
export function record(key: Check, item: Check, message: string): Check {
  return (value) => {
    if (!isObject(value)) return { path: [], message, typed: false };
    function* parts(input: Record<string, unknown>): Generator<[string, Issue | undefined]> {
      for (const k in input) {
        if (!Object.hasOwn(input, k) || k === "__proto__" || k === "prototype" || k === "constructor")
          continue;
        yield [k, key(k)];
        yield [k, item(input[k])];
      }
    }
    return firstOf(parts(value));
  };
}

/**
 * One of `branches`: when exactly one failed on a rule (its type matched), its issue; otherwise `message`.
 *
 * @example
 * ```ts
 * union([oneOf([false], "must be false"), object({}, "must be an object")], "must be false or {}")(1);
 * // { path: [], message: "must be false or {}", typed: false }
 * ```
 */
export function union(branches: Check[], message: string): Check {
  return (value) => {
    const typed: Issue[] = [];
    for (const branch of branches) {
      const issue = branch(value);
      if (!issue) return undefined;
      if (issue.typed) typed.push(issue);
    }
    return typed.length === 1 ? typed[0] : { path: [], message, typed: typed.length > 1 };
  };
}
