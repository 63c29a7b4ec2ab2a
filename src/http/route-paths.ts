/**
 * @module
 * The paths and methods of each built-in route group, known without loading the group's module (see
 * `route-groups.ts`). A unit test holds each entry to what its module serves.
 */

/** Paths under `basePath` (with `:param` segments) to the methods each serves. */
export type RouteTable = Readonly<Record<string, readonly ("GET" | "POST")[]>>;

/** The names of the built-in route groups. */
export type RouteGroupName = "login" | "challenge" | "profile" | "password" | "signup" | "admin" | "verify";

/** The built-in route groups' paths, by group. */
export const routePaths: Readonly<Record<RouteGroupName, RouteTable>> = {
  login: { "/login": ["GET", "POST"], "/logout": ["GET", "POST"], "/session": ["GET"] },
  challenge: { "/login/challenge": ["GET", "POST"] },
  profile: { "/profile": ["GET"], "/profile/update": ["GET", "POST"] },
  password: {
    "/password/change": ["GET", "POST"],
    "/password/forgot": ["GET", "POST"],
    "/password/reset": ["GET", "POST"],
  },
  signup: { "/signup": ["GET", "POST"], "/signup/confirm": ["GET", "POST"] },
  admin: { "/admin/users": ["GET"], "/admin/users/:username": ["GET", "POST"] },
  verify: { "/profile/verify": ["GET", "POST"] },
};
