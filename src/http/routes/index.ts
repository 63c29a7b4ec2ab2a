/**
 * @module
 * Every built-in route group's builder, in one module so that Node, Bun and Deno load the pages' routes
 * as one chunk (`route-groups.ts`), on the first request that needs one.
 */
export { adminRoutes } from "./admin.ts";
export { challengeRoutes } from "./challenge.ts";
export { loginRoutes } from "./login.ts";
export { passwordRoutes } from "./password.ts";
export { profileRoutes } from "./profile.ts";
export { signupRoutes } from "./signup.ts";
export { verifyRoutes } from "./verify.ts";
