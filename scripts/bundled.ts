/**
 * @module
 * Which packages npm's Node build (scripts/build.ts) bundles into dist/node/ rather than importing: pure,
 * small, and used in part. scripts/check-package.ts holds the build to it.
 */

/** The bundled packages. */
export const bundled: readonly string[] = [
  "@oslojs/crypto",
  "@oslojs/encoding",
  "@oslojs/binary",
  "valibot",
  "unstorage",
  "destr",
];

/** Whether an import of `specifier` is bundled; unstorage's drivers are the user's choice and stay imports. */
export const isBundled = (specifier: string): boolean =>
  bundled.some((name) => specifier === name || specifier.startsWith(`${name}/`)) &&
  !specifier.startsWith("unstorage/drivers/");
