/**
 * @module
 * The one door to the Cognito layer: everything above `cognito/` gets the Cognito calls through a
 * loader, built once per warrant. The layer (`api.ts`, and with it the AWS SDK) is imported the first time
 * a call needs Cognito, so a request that only reads a session, checks a bearer token or renders a page
 * never loads or evaluates the SDK. Bundlers keep the `import()` lazy (esbuild wraps the layer in an
 * initialiser) and, through `sdk.ts`'s `browser` map, still tree-shake the SDK.
 */
import { WarrantError } from "../errors.ts";
import { loadOnce } from "../load-once.ts";
import type { SessionConfig, WarrantConfig } from "../options.ts";
import type { CognitoApi } from "./api.ts";
import { outageCause } from "./errors.ts";
import type { Verifier } from "./verify.ts";

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
  return loadOnce(() =>
    import("./api.ts").then(
      (m) => m.createCognitoApi(config),
      (error: unknown) => {
        // Deno without --allow-env for the variables the AWS SDK reads as it loads refuses the read
        // itself: the same outage (503, the flag named in the log) as a missing --allow-sys at the call.
        const cause = outageCause(error);
        if (cause.startsWith("Deno permission missing")) {
          throw new WarrantError("cognito_unavailable", `Cognito is unavailable (loading: ${cause})`, {
            cause: error,
          });
        }
        throw error;
      },
    ),
  );
}

/**
 * The bearer-token verifier of one config, loaded on the first token: `verify.ts` brings aws-jwt-verify,
 * which an app that never sees a bearer token should not load or evaluate.
 *
 * @example
 * ```ts
 * const verifier = lazyVerifier(config);
 * const result = await verifier.verify(jwt);
 * ```
 */
export function lazyVerifier(config: SessionConfig): Verifier {
  const verifier = loadOnce(() => import("./verify.ts").then((m) => m.createVerifier(config)));
  return { verify: async (token, tokenUse) => (await verifier()).verify(token, tokenUse) };
}
