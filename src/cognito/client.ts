/**
 * @module
 * The AWS SDK client, built once per warrant, and `send` with the deadline and retry policy of
 * SECURITY.md C5 and E5: every call has one deadline (`cognitoTimeout`), retries included; the SDK's own
 * retries are off; calls that are safe to repeat (GetUser, refresh, revoke) are retried on throttling and
 * outages with backoff while the deadline allows; challenge answers, sign-ups and logins are sent once.
 *
 * A wrong or missing client secret makes Cognito answer every call of the app client with
 * NotAuthorizedException, the same name a wrong password gets. So the client decides from the call, not
 * from Cognito's wording: when a call that authenticates the app client (one that names `ClientId`) is
 * refused that way, and no such call has succeeded yet, it asks Cognito once more with a call whose only
 * possible NotAuthorizedException is the secret (the first SRP step for a name nobody has). That answer
 * is loud (`client_secret_mismatch`) or clears the secret for the life of the client.
 */

import type { WarrantConfig } from "../options.ts";
import {
  CognitoTimeout,
  classify,
  cognitoName,
  configHint,
  outageCause,
  secretMismatch,
  toWarrantError,
} from "./errors.ts";
import { CognitoIdentityProviderClient, InitiateAuthCommand } from "./sdk.ts";
import { withSecretHash } from "./secret-hash.ts";
import { createSrpClient } from "./srp.ts";

/** Sends Cognito commands; throws `WarrantError` for failures unless `raw` is set. */
export interface Cognito {
  readonly sdk: CognitoIdentityProviderClient;
  /**
   * Sends a command within `cognitoTimeout`. `retry`: the call is safe to repeat. `raw`: rethrow the
   * SDK's error untouched so the caller can branch on it (credentials, challenges); an outage past the
   * deadline is a `CognitoTimeout`, and a wrong client secret is always the `WarrantError`.
   */
  send<Output>(
    command: { readonly input: unknown },
    options: { during: string; retry?: boolean; raw?: boolean },
  ): Promise<Output>;
}

const attempts = 3;

/** One SDK call that ends by `ms`: aborted, and rejected with a `CognitoTimeout` even if the SDK lingers. */
async function within<Output>(
  sdk: CognitoIdentityProviderClient,
  command: { readonly input: unknown },
  ms: number,
): Promise<Output> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new CognitoTimeout(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return (await Promise.race([
      sdk.send(command as never, { abortSignal: controller.signal as never }),
      expired,
    ])) as Output;
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the SDK client from the config. Never touches the network. */
export function createCognito(
  config: WarrantConfig,
  sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Cognito {
  const sdk = new CognitoIdentityProviderClient({
    region: config.region,
    maxAttempts: 1,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  });
  const timeout = config.cognitoTimeout;
  // Once a call that authenticates the app client succeeds, the secret is known to be right.
  let secretOk = false;
  const log = config.logger;
  // Logins that failed in a row with one Cognito answer, while no login call has yet been answered with
  // success (which proves pool, client and region right): the debug hint.
  let loggedIn = false;
  let streak = { name: "", count: 0 };
  const debugFailure = (error: unknown, during: string) => {
    if (!log.enabled("debug")) return;
    const cognitoCode = cognitoName(error);
    const what = cognitoCode ?? `no answer: ${outageCause(error)}`;
    log.debug(`Cognito failed ${during}: ${what}`, { cognitoCode, hint: configHint(error, during) });
    if (during !== "the login" || loggedIn || !cognitoCode) return;
    streak =
      streak.name === cognitoCode
        ? { name: cognitoCode, count: streak.count + 1 }
        : { name: cognitoCode, count: 1 };
    if (streak.count === 5) {
      log.debug(`every login so far failed the same way (${streak.count} × ${cognitoCode})`, {
        cognitoCode,
        hint: "wrong pool id or region?",
      });
    }
  };
  let probing: Promise<"wrong" | "right" | "unknown"> | undefined;

  const probe = () => {
    probing ??= (async () => {
      const name = `warrant-secret-check-${crypto.randomUUID()}`;
      try {
        await within(
          sdk,
          new InitiateAuthCommand({
            AuthFlow: "USER_SRP_AUTH",
            ClientId: config.clientId,
            AuthParameters: withSecretHash(config, name, {
              USERNAME: name,
              SRP_A: createSrpClient().srpA,
            }),
          }),
          timeout,
        );
        return "right" as const;
      } catch (error) {
        const answer = cognitoName(error);
        if (answer === "NotAuthorizedException") return "wrong" as const;
        // Cognito looked for the name, so it had accepted the secret.
        if (answer === "UserNotFoundException") return "right" as const;
        return "unknown" as const;
      }
    })().finally(() => {
      probing = undefined;
    });
    return probing;
  };

  return {
    sdk,
    async send<Output>(
      command: { readonly input: unknown },
      options: { during: string; retry?: boolean; raw?: boolean },
    ) {
      const clientCall = typeof (command.input as { ClientId?: unknown })?.ClientId === "string";
      const deadline = Date.now() + timeout;
      for (let attempt = 1; ; attempt++) {
        try {
          const out = await within<Output>(sdk, command, Math.max(1, deadline - Date.now()));
          if (clientCall) secretOk = true;
          if (options.during === "the login") loggedIn = true;
          return out;
        } catch (error) {
          const kind = classify(error);
          if (clientCall && !secretOk && cognitoName(error) === "NotAuthorizedException") {
            const verdict = await probe();
            if (verdict === "wrong") {
              log.debug(`Cognito failed ${options.during}: NotAuthorizedException`, {
                cognitoCode: "NotAuthorizedException",
                hint: "secret hash mismatch: check clientSecret",
              });
              throw secretMismatch(error);
            }
            if (verdict === "right") secretOk = true;
          }
          const transient = kind === "throttled" || kind === "unavailable";
          // Full jitter around 100 ms, 200 ms: short enough for a request, long enough to let a burst pass.
          const wait = Math.random() * 100 * 2 ** attempt;
          if (options.retry && transient && attempt < attempts && Date.now() + wait < deadline) {
            await sleep(wait);
            continue;
          }
          debugFailure(error, options.during);
          if (options.raw) throw error;
          throw toWarrantError(error, options.during);
        }
      }
    },
  };
}
