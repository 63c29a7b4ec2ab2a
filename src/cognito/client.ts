/**
 * @module
 * The AWS SDK client, built once per warrant, and `send` with the retry policy of SECURITY.md E5:
 * the SDK's own retries are off; calls that are safe to repeat (GetUser, refresh, revoke) are retried
 * on throttling and outages with backoff; challenge answers, sign-ups and logins are sent once.
 */

import type { WarrantConfig } from "../options.ts";
import { classify, toWarrantError } from "./errors.ts";
import { CognitoIdentityProviderClient } from "./sdk.ts";

/** Sends Cognito commands; throws `WarrantError` for failures unless `raw` is set. */
export interface Cognito {
  readonly sdk: CognitoIdentityProviderClient;
  /**
   * Sends a command. `retry`: the call is safe to repeat. `raw`: rethrow the SDK's error untouched so
   * the caller can branch on it (credentials, challenges).
   */
  send<Output>(
    command: { readonly input: unknown },
    options: { during: string; retry?: boolean; raw?: boolean },
  ): Promise<Output>;
}

const attempts = 3;

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
  return {
    sdk,
    async send<Output>(
      command: { readonly input: unknown },
      options: { during: string; retry?: boolean; raw?: boolean },
    ) {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await sdk.send(command as never)) as Output;
        } catch (error) {
          const kind = classify(error);
          const transient = kind === "throttled" || kind === "unavailable";
          if (options.retry && transient && attempt < attempts) {
            // Full jitter around 100 ms, 200 ms: short enough for a request, long enough to let a burst pass.
            await sleep(Math.random() * 100 * 2 ** attempt);
            continue;
          }
          if (options.raw) throw error;
          throw toWarrantError(error, options.during);
        }
      }
    },
  };
}
