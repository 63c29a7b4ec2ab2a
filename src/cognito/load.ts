/**
 * @module
 * The one door to the Cognito layer: everything above `cognito/` gets the Cognito calls through a
 * loader, built once per warrant, and the SDK client is made on the first call. The loader is the seam
 * where the layer becomes a lazy import: a dynamic `import("./api.ts")` made esbuild keep every command
 * of the SDK's barrel (+22 KB gzip in the Worker bundle), so for now the import is static.
 */
import type { WarrantConfig } from "../options.ts";
import { type CognitoApi, createCognitoApi } from "./api.ts";

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
    api ??= Promise.resolve(createCognitoApi(config));
    return api;
  };
}
