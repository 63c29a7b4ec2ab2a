/**
 * @module
 * The Cognito layer, loaded on first use: `cognito/api.ts` (and with it the AWS SDK) is imported the
 * first time a request needs Cognito, once per warrant. Bundlers keep a dynamic import lazy (esbuild
 * wraps the module in an initialiser), so a Worker that only checks sessions never evaluates the SDK.
 */
import type { WarrantConfig } from "../options.ts";
import type { CognitoApi } from "./api.ts";

/** Gets the Cognito calls, loading them the first time. */
export type LoadCognito = () => Promise<CognitoApi>;

/**
 * A loader for the Cognito calls of one config.
 *
 * @example
 * ```ts
 * const cognito = cognitoLoader(config);
 * const step = await (await cognito()).passwordLogin("alice", "correct horse");
 * ```
 */
export function cognitoLoader(config: WarrantConfig): LoadCognito {
  let api: Promise<CognitoApi> | undefined;
  return () => {
    api ??= import("./api.ts").then((m) => m.createCognitoApi(config));
    // A failed load (it should not happen) is tried again on the next call rather than cached.
    api.catch(() => {
      api = undefined;
    });
    return api;
  };
}
