/**
 * @module
 * The names of the pages `options.pages` may replace, derived from the page types: the compiler
 * refuses this table when a page is added to `PageProps` and not here, or named here and not there.
 */
import type { PageProps } from "./pages.ts";

const names: { [K in keyof PageProps]: true } = {
  login: true,
  challenge: true,
  logout: true,
  profile: true,
  profileUpdate: true,
  verify: true,
  password: true,
  signup: true,
  adminUsers: true,
  adminUser: true,
  error: true,
};

/** Every page name, as `options.pages` takes them. */
export const pageNames: (keyof PageProps)[] = Object.keys(names) as (keyof PageProps)[];
