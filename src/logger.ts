/**
 * @module
 * The `logger` option: four levels, a level below which nothing is written, and one sink. The default
 * writes `warn` and `error` to the console, one line each, prefixed `warrant:`. At `debug` the Cognito
 * layer names each exception Cognito answered with and a configuration hint ("no such client: check
 * clientId"). The library never hands a password, code, token, session id or secret to the logger; as a
 * second line of defence, anything shaped like a JWT is blanked from every line before it is written.
 */

/** The levels, from the most talkative. */
export const logLevels = ["debug", "info", "warn", "error"] as const;

/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** What a line carries besides its message, for structured sinks. Never a secret. */
export interface LogFields {
  requestId?: string | undefined;
  /** The Cognito exception name, at `debug`. */
  cognitoCode?: string | undefined;
  /** A configuration hint, at `debug`. */
  hint?: string | undefined;
  /** The event a line is about (`login`, `sessionEnd`, …). */
  event?: string | undefined;
  [field: string]: string | number | undefined;
}

/** The `logger` option. */
export interface LoggerOptions {
  /** Lines below this level are dropped; `"silent"` drops every line. @default "warn" */
  level?: LogLevel | "silent";
  /**
   * Where lines go. @default one line on the console: `console.error` for error, `console.warn` for
   * warn, `console.info` and `console.debug` below, as `warrant: <message> (key=value …)`
   */
  log?: (level: LogLevel, message: string, fields: LogFields) => void;
}

/** The logger the library writes to (`config.logger`). */
export interface Logger {
  readonly level: LogLevel | "silent";
  /** True when lines of `level` are written: skip building a costly line otherwise. */
  enabled(level: LogLevel): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const jwtShape = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g;
const blank = (text: string) => text.replace(jwtShape, "[token]");

/** The default sink: one console line per call. */
export function consoleLog(level: LogLevel, message: string, fields: LogFields): void {
  const extra = Object.entries(fields)
    // A value the message already says (the request id of "request … failed") is not repeated.
    .filter(([, value]) => value !== undefined && !message.includes(String(value)))
    .map(([key, value]) => `${key}=${value}`)
    .join(" ");
  const line = `warrant: ${message}${extra ? ` (${extra})` : ""}`;
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else if (level === "info") console.info(line);
  else console.debug(line);
}

/**
 * Builds the logger from the option; `false` is `{ level: "silent" }`.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: "debug", log: (level, message) => lines.push(`${level} ${message}`) });
 * logger.debug("Cognito refused the login: ResourceNotFoundException", { hint: "no such client: check clientId" });
 * ```
 */
export function createLogger(options: LoggerOptions | false = {}): Logger {
  const level = options === false ? "silent" : (options.level ?? "warn");
  const sink = (options === false ? undefined : options.log) ?? consoleLog;
  const floor = level === "silent" ? logLevels.length : logLevels.indexOf(level);
  const enabled = (at: LogLevel) => logLevels.indexOf(at) >= floor;
  const write =
    (at: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (!enabled(at)) return;
      const clean: LogFields = {};
      for (const [key, value] of Object.entries(fields)) {
        clean[key] = typeof value === "string" ? blank(value) : value;
      }
      try {
        sink(at, blank(message), clean);
      } catch {
        // A failing sink must not fail the request it was writing about.
      }
    };
  return Object.freeze({
    level,
    enabled,
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
  });
}
