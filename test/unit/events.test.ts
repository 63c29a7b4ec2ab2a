/**
 * The event and logger machinery on its own: names checked at construction, listeners awaited with a
 * deadline and never throwing into the caller, levels that filter, and JWT-shaped text blanked.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { emit } from "../../src/events.ts";
import { createLogger, type LogLevel } from "../../src/logger.ts";
import { createWarrant, eventDeadline, eventNames, WarrantError } from "../../src/mod.ts";
import { SECRET } from "../support/setup.ts";

const base = { userPoolId: "eu-west-1_Events", clientId: "client", secret: SECRET };
const capture = (level: LogLevel | "silent" = "debug") => {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level, log: (at, message) => void lines.push(`${at} ${message}`) }),
  };
};

describe("events option", () => {
  it("refuses an unknown event name and a listener that is not a function, naming them", () => {
    assert.throws(
      () => createWarrant({ ...base, events: { lgoin: () => {} } } as never),
      (e: unknown) =>
        e instanceof WarrantError &&
        e.message === `warrant: options.events.lgoin is not a known event (${eventNames.join(", ")})`,
    );
    assert.throws(
      () => createWarrant({ ...base, events: { login: "yes" } } as never),
      /options\.events\.login must be a function/,
    );
    assert.throws(
      () => createWarrant({ ...base, logger: { level: "loud" } } as never),
      /options\.logger must be false or/,
    );
    assert.deepEqual(
      [...eventNames],
      [
        "login",
        "logout",
        "signUp",
        "passwordChange",
        "challenge",
        "sessionEnd",
        "deviceRemembered",
        "deviceForgotten",
        "cognitoSessionEnd",
      ],
    );
  });

  it("awaits a listener, stamps the time, and logs the event at info", async () => {
    const { lines, logger } = capture("info");
    const seen: unknown[] = [];
    let done = false;
    await emit(
      {
        logger,
        now: () => 42,
        events: {
          logout: async (event) => {
            await new Promise((r) => setTimeout(r, 20));
            seen.push(event);
            done = true;
          },
        },
      },
      "logout",
      { username: "ada", requestId: "r1" },
    );
    assert.equal(done, true, "awaited");
    assert.deepEqual(seen, [{ username: "ada", requestId: "r1", at: 42 }]);
    assert.deepEqual(lines, ["info event logout"]);
  });

  it("never throws: a throwing listener is logged by its error's name; a slow one is let go at the deadline", async () => {
    const { lines, logger } = capture("warn");
    await emit(
      {
        logger,
        now: Date.now,
        events: { login: () => Promise.reject(new RangeError("token eyJabc.eyJdef.sig")) },
      },
      "login",
      { username: "ada", user: { username: "ada", sub: "s", groups: [] } },
    );
    assert.deepEqual(lines, ["error events.login threw (RangeError); the request went on"]);
    const started = performance.now();
    await emit({ logger, now: Date.now, events: { signUp: () => new Promise(() => {}) } }, "signUp", {
      username: "a",
    });
    const waited = performance.now() - started;
    assert.ok(waited >= eventDeadline - 20 && waited < eventDeadline + 1000, `${waited} ms`);
    assert.match(lines[1]!, /^warn events\.signUp took longer than 1000 ms/);
  });
});

describe("logger", () => {
  it("writes from its level up, nothing when silent or false", () => {
    const info = capture("info");
    info.logger.debug("d");
    info.logger.info("i");
    info.logger.error("e");
    assert.deepEqual(info.lines, ["info i", "error e"]);
    const silent = capture("silent");
    silent.logger.error("e");
    assert.deepEqual(silent.lines, []);
    assert.equal(createLogger(false).enabled("error"), false);
    assert.equal(createLogger().level, "warn");
  });

  it("blanks anything shaped like a JWT, in the message and the fields", () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      log: (_, m, f) => void lines.push(`${m} ${JSON.stringify(f)}`),
    });
    logger.debug("saw eyJhbGciOi.eyJzdWIiOi.c2ln here", { hint: "eyJx.eyJy.z" });
    assert.deepEqual(lines, ['saw [token] here {"hint":"[token]"}']);
  });

  it("keeps a request going when the sink throws", () => {
    const logger = createLogger({
      log: () => {
        throw new Error("sink down");
      },
    });
    assert.doesNotThrow(() => logger.error("x"));
  });

  it("is where the default onError writes: one line per failed request, with its request id", async () => {
    const lines: string[] = [];
    const warrant = createWarrant({
      ...base,
      endpoint: "http://127.0.0.1:9",
      cognitoTimeout: 300,
      authFlow: "USER_PASSWORD_AUTH",
      logger: { log: (at, message) => void lines.push(`${at} ${message}`) },
    });
    const response = await warrant.handler(
      new Request("http://localhost/accounts/login", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ username: "ada@example.com", password: "pw-that-is-long-enough" }),
      }),
    );
    assert.equal(response.status, 503);
    assert.equal(lines.length, 1, lines.join("\n"));
    assert.match(
      lines[0]!,
      new RegExp(`^error request ${response.headers.get("x-request-id")} failed \\(cognito_unavailable`),
    );
  });
});
