/**
 * @module
 * What `route-groups.ts` exports, for bundlers (package.json's `browser` map sends them here): the same
 * groups, imported statically. See `route-groups.ts` for why.
 */
import type { RouteGroupEntry } from "./route-groups.ts";
import { type RouteGroupName, routePaths } from "./route-paths.ts";
import { adminRoutes } from "./routes/admin.ts";
import { challengeRoutes } from "./routes/challenge.ts";
import { loginRoutes } from "./routes/login.ts";
import { passwordRoutes } from "./routes/password.ts";
import { profileRoutes } from "./routes/profile.ts";
import { signupRoutes } from "./routes/signup.ts";
import { verifyRoutes } from "./routes/verify.ts";

export type { RouteGroupEntry };

/** The built-in route groups, by name. */
export const routeGroups: Readonly<Record<RouteGroupName, RouteGroupEntry>> = {
  login: { paths: routePaths.login, load: async () => loginRoutes },
  challenge: { paths: routePaths.challenge, load: async () => challengeRoutes },
  profile: { paths: routePaths.profile, load: async () => profileRoutes },
  password: { paths: routePaths.password, load: async () => passwordRoutes },
  signup: { paths: routePaths.signup, load: async () => signupRoutes },
  admin: { paths: routePaths.admin, load: async () => adminRoutes },
  verify: { paths: routePaths.verify, load: async () => verifyRoutes },
};
