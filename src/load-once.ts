/**
 * @module
 * Loading a lazily imported layer once: the Cognito layer, the bearer verifier, the pages' route groups.
 */

/**
 * `load`, called the first time the result is asked for and then kept; a failed load (a broken install,
 * say) is forgotten, so the next call tries again rather than failing for the life of the process.
 *
 * @example
 * ```ts
 * const api = loadOnce(() => import("./api.ts"));
 * const { createCognitoApi } = await api();
 * ```
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    if (!kept) {
      const loading = load();
      kept = loading;
      loading.catch(() => {
        if (kept === loading) kept = undefined;
      });
    }
    return kept;
  };
}
