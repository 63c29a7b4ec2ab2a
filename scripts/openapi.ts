/**
 * @module
 * `npm run openapi`: docs/openapi.json, the OpenAPI 3.1 document of the JSON side of `warrant.handler`,
 * generated from the route table the handler builds (every extension on: passkeys, devices, managed
 * login, API Gateway), so a route added to the table without a line here fails `npm run openapi` and
 * test/docs/openapi.test.ts. The error responses come from `apiErrorCodes`, the table the routes answer
 * with. `--check` exits 1 when docs/openapi.json is not what this script writes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { apiGateway } from "../src/api-gateway/mod.ts";
import { devices } from "../src/devices/mod.ts";
import { routeTable } from "../src/http/handler.ts";
import { managedLogin } from "../src/managed-login/mod.ts";
import { apiErrorCodes, createWarrant } from "../src/mod.ts";
import { passkeys } from "../src/passkeys/mod.ts";

type Method = "GET" | "POST";
type Schema = Record<string, unknown>;

interface Operation {
  summary: string;
  tag: string;
  /** Signed in (the session cookie) or staff only. */
  auth?: "session" | "staff";
  /** JSON body fields of a POST (all strings unless a schema is given); `required` lists the musts. */
  body?: { properties: Record<string, Schema>; required?: string[] };
  /** The 200 JSON answer. */
  ok?: Schema;
  /** Answers with a redirect rather than JSON (managed login). */
  redirect?: string;
  /** Error statuses of the route's own, beyond those its kind implies. */
  errors?: Record<string, string>;
}

const str = { type: "string" } as const;
const user = { $ref: "#/components/schemas/User" } as const;
const challenge = { $ref: "#/components/schemas/Challenge" } as const;
const okTrue = { type: "object", properties: { ok: { const: true } }, required: ["ok"] } as const;
const fields = {
  type: "object",
  description: "The form's fields, for a client that builds its own form.",
  properties: { fields: { type: "array", items: str } },
} as const;
const signedIn = {
  oneOf: [
    { type: "object", properties: { user, expiresAt: { type: "integer" } }, required: ["user", "expiresAt"] },
    { type: "object", properties: { challenge }, required: ["challenge"] },
  ],
} as const;

/** One line per route of the table: `"<METHOD> <path>"`. */
export const operations: Record<string, Operation> = {
  "GET /login": {
    summary: "Who is signed in (JSON), or the login form (HTML)",
    tag: "login",
    ok: { type: "object", properties: { user: { oneOf: [user, { type: "null" }] } } },
  },
  "POST /login": {
    summary: "Sign in with a username and password: a session, or the first challenge",
    tag: "login",
    body: { properties: { username: str, password: str, next: str }, required: ["username"] },
    ok: signedIn,
  },
  "GET /login/challenge": {
    summary: "The pending challenge (its id travels in the challenge cookie)",
    tag: "login",
    ok: { type: "object", properties: { challenge } },
    errors: { "400": "challenge_expired: none pending, used or expired; sign in again" },
  },
  "POST /login/challenge": {
    summary: "Answer the pending challenge: a session, or the next challenge",
    tag: "login",
    body: {
      properties: {
        code: str,
        newPassword: str,
        confirmPassword: str,
        mfaType: str,
        choice: str,
        password: str,
        credential: { type: "string", description: "A WebAuthn assertion, as JSON" },
        anotherWay: { type: "boolean" },
      },
    },
    ok: signedIn,
  },
  "POST /logout": {
    summary: "End the session and revoke its refresh token (an empty POST needs no CSRF token)",
    tag: "login",
    ok: { type: "object", properties: { ok: { const: true }, redirect: str }, required: ["ok"] },
    errors: { "403": "forbidden: a cross-site request" },
  },
  "GET /logout": { summary: "405 with a sign-out button: logging out is a POST", tag: "login" },
  "GET /session": {
    summary: "The signed-in user and when the session ends",
    tag: "login",
    auth: "session",
    ok: {
      type: "object",
      properties: { user, expiresAt: { type: "integer" } },
      required: ["user", "expiresAt"],
    },
  },
  "GET /profile": {
    summary: "The user's current Cognito attributes, through the mapping",
    tag: "profile",
    auth: "session",
    ok: { type: "object" },
  },
  "GET /profile/update": {
    summary: "The editable fields, pre-filled from Cognito",
    tag: "profile",
    auth: "session",
    ok: { type: "object" },
  },
  "POST /profile/update": {
    summary: "Update attributes (UpdateUserAttributes); the local record follows",
    tag: "profile",
    auth: "session",
    body: { properties: {} },
    ok: { type: "object", properties: { user } },
  },
  "GET /profile/verify": {
    summary: "Whether the email or phone number is verified (`?attribute=`)",
    tag: "profile",
    auth: "session",
    ok: {
      type: "object",
      properties: { attribute: str, value: { type: ["string", "null"] }, verified: { type: "boolean" } },
    },
  },
  "POST /profile/verify": {
    summary: "Send a verification code (no `code`), or check one",
    tag: "profile",
    auth: "session",
    body: {
      properties: { attribute: { enum: ["email", "phone_number"] }, code: str },
      required: ["attribute"],
    },
    ok: {
      type: "object",
      properties: { sent: { type: "boolean" }, destination: str, verified: { type: "boolean" }, user },
    },
  },
  "GET /profile/subscriptions": {
    summary: "The usage plans of the user's API key (with @warrant/cognito/api-gateway)",
    tag: "api-gateway",
    auth: "session",
    ok: {
      type: "object",
      properties: {
        keyId: { type: ["string", "null"] },
        plans: { type: "array", items: { type: "object" } },
      },
    },
  },
  "GET /password/change": {
    summary: "The fields of a password change",
    tag: "password",
    auth: "session",
    ok: fields,
  },
  "POST /password/change": {
    summary: "Change the password (ChangePassword); every other session ends",
    tag: "password",
    auth: "session",
    body: {
      properties: { currentPassword: str, newPassword: str },
      required: ["currentPassword", "newPassword"],
    },
    ok: okTrue,
  },
  "GET /password/forgot": { summary: "The fields of a reset request", tag: "password", ok: fields },
  "POST /password/forgot": {
    summary: "Send a reset code (ForgotPassword); known and unknown names get the same answer",
    tag: "password",
    body: { properties: { username: str }, required: ["username"] },
    ok: { type: "object", properties: { ok: { const: true }, message: str } },
  },
  "GET /password/reset": { summary: "The fields of a reset", tag: "password", ok: fields },
  "POST /password/reset": {
    summary: "Set a new password with the code (ConfirmForgotPassword), then sign in",
    tag: "password",
    body: {
      properties: { username: str, code: str, newPassword: str },
      required: ["username", "code", "newPassword"],
    },
    ok: okTrue,
  },
  "GET /signup": { summary: "The fields of a registration", tag: "signup", ok: fields },
  "POST /signup": {
    summary: "Register (SignUp); an existing name is answered like a new one",
    tag: "signup",
    body: { properties: { email: str, password: str }, required: ["email", "password"] },
    ok: { type: "object", properties: { ok: { const: true }, message: str, username: str } },
  },
  "GET /signup/confirm": { summary: "The fields of a confirmation", tag: "signup", ok: fields },
  "POST /signup/confirm": {
    summary: "Confirm with the emailed code (ConfirmSignUp), then sign in",
    tag: "signup",
    body: { properties: { username: str, code: str, password: str }, required: ["username", "code"] },
    ok: {
      type: "object",
      properties: { ok: { const: true }, message: str, user, expiresAt: { type: "integer" } },
    },
  },
  "GET /admin/users": {
    summary: "The pool's users, 20 a page (`?next=`)",
    tag: "admin",
    auth: "staff",
    ok: {
      type: "object",
      properties: { users: { type: "array", items: { type: "object" } }, next: { type: ["string", "null"] } },
    },
  },
  "GET /admin/users/{username}": {
    summary: "One user: status, groups, local sessions",
    tag: "admin",
    auth: "staff",
    ok: { type: "object" },
  },
  "POST /admin/users/{username}": {
    summary: "Disable (ends every session), enable, or sign out everywhere",
    tag: "admin",
    auth: "staff",
    body: { properties: { action: str } },
    ok: okTrue,
  },
  "GET /passkeys": {
    summary: "The user's passkeys (with passkeys())",
    tag: "passkeys",
    auth: "session",
    ok: { type: "object" },
  },
  "GET /passkeys/add": {
    summary: "Options for a new passkey (WebAuthn creation options)",
    tag: "passkeys",
    auth: "session",
    ok: { type: "object" },
  },
  "POST /passkeys/add": {
    summary: "Register a passkey",
    tag: "passkeys",
    auth: "session",
    body: { properties: { credential: str, name: str }, required: ["credential"] },
    ok: { type: "object" },
  },
  "POST /passkeys/{id}": {
    summary: "Rename or delete a passkey",
    tag: "passkeys",
    auth: "session",
    body: { properties: { action: { enum: ["rename", "delete"] }, name: str }, required: ["action"] },
    ok: { type: "object" },
  },
  "GET /sessions": {
    summary: "The user's sessions and remembered devices (with devices())",
    tag: "devices",
    auth: "session",
    ok: { type: "object" },
  },
  "POST /sessions": {
    summary: "End one other session, every other session, or forget a device",
    tag: "devices",
    auth: "session",
    body: {
      properties: {
        action: { enum: ["end", "end-others", "forget"] },
        handle: str,
        device: str,
        session: str,
      },
      required: ["action"],
    },
    ok: okTrue,
    errors: { "404": "not_found: no such session or device" },
  },
  "GET /oauth2/start": {
    summary: "Start a managed login (`?provider=&next=`): 303 to Cognito's /oauth2/authorize",
    tag: "managed-login",
    redirect: "Cognito's authorize endpoint",
  },
  "GET /oauth2/callback": {
    summary: "Cognito's redirect back: the code redeemed, a session, 303 to `next`",
    tag: "managed-login",
    redirect: "`next`",
    errors: { "400": "bad_request: the state is unknown, used or not this browser's; sign in again" },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
});

/** The OpenAPI document for a route table under `basePath`. */
export function openapiDocument(
  table: Readonly<Record<string, readonly Method[]>>,
  basePath: string,
  version: string,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const missing: string[] = [];
  for (const [path, methods] of Object.entries(table).sort(([a], [b]) => a.localeCompare(b))) {
    const openPath = path.replace(/:(\w+)/g, "{$1}");
    const params = [...openPath.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: str,
    }));
    for (const method of methods) {
      const op = operations[`${method} ${openPath}`];
      if (!op) {
        missing.push(`${method} ${openPath}`);
        continue;
      }
      const responses: Record<string, unknown> = {};
      if (op.redirect) responses["303"] = { description: `Redirect to ${op.redirect}` };
      else if (op.ok)
        responses["200"] = { description: "OK", content: { "application/json": { schema: op.ok } } };
      if (method === "GET" && openPath === "/logout") responses["405"] = errorResponse("Log out with POST");
      if (op.body) {
        responses["400"] = errorResponse("bad_request, invalid, or a code of the route's own (see Error)");
        responses["403"] = errorResponse("forbidden: cross-site, or a missing or wrong CSRF token");
        responses["413"] = errorResponse("payload_too_large");
        responses["415"] = errorResponse("unsupported_media_type");
        responses["429"] = errorResponse("too_many_requests (Retry-After)");
      }
      for (const [status, description] of Object.entries(op.errors ?? {}))
        responses[status] = errorResponse(description);
      if (op.auth) responses["401"] = errorResponse("unauthorized: not signed in (WWW-Authenticate)");
      if (op.auth === "staff") responses["403"] = errorResponse("forbidden: not staff");
      responses["503"] = errorResponse("unavailable: Cognito or the store (Retry-After)");
      paths[openPath] ??= {};
      paths[openPath][method.toLowerCase()] = {
        operationId: `${method.toLowerCase()}${openPath.replace(/[{}]/g, "").replace(/(^|[/-])(\w)/g, (_m, _s, c: string) => c.toUpperCase())}`,
        summary: op.summary,
        tags: [op.tag],
        ...(params.length ? { parameters: params } : {}),
        ...(op.auth ? { security: [{ session: [] }] } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: true,
                content: {
                  "application/json": {
                    schema: {
                      type: "object",
                      properties: op.body.properties,
                      ...(op.body.required ? { required: op.body.required } : {}),
                    },
                  },
                  "application/x-www-form-urlencoded": { schema: { type: "object" } },
                },
              },
            }
          : {}),
        responses,
      };
    }
  }
  const stale = Object.keys(operations).filter((key) => {
    const [method, path] = key.split(" ") as [Method, string];
    return !table[path.replace(/\{(\w+)\}/g, ":$1")]?.includes(method);
  });
  if (missing.length || stale.length) {
    throw new Error(
      `scripts/openapi.ts is out of step with the route table: undocumented ${missing.join(", ") || "none"}; not routes ${stale.join(", ") || "none"}`,
    );
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "@warrant/cognito account routes",
      version,
      description:
        "The JSON side of warrant.handler: send Accept: application/json or a JSON body. Generated by scripts/openapi.ts from the route table; HEAD is served wherever GET is. POSTs from a browser need a same-origin Origin header; form posts also need the CSRF token.",
    },
    servers: [{ url: basePath || "/", description: "basePath" }],
    paths: Object.fromEntries(
      Object.entries(paths).map(([p, ops]) => [`${basePath}${p === "/" ? "" : p}`, ops]),
    ),
    components: {
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "warrant", description: "__Host-warrant on https" },
      },
      schemas: {
        User: {
          type: "object",
          description: "The signed-in user: the local record's mapped fields, sub and groups",
          properties: { username: str, sub: str, groups: { type: "array", items: str } },
          required: ["username", "sub", "groups"],
          additionalProperties: true,
        },
        Challenge: {
          type: "object",
          description: "A pending challenge (never its Cognito session)",
          properties: {
            name: str,
            parameters: { type: "object" },
            availableChallenges: { type: "array", items: str },
          },
          required: ["name"],
          additionalProperties: true,
        },
        Error: {
          type: "object",
          properties: {
            error: { enum: Object.keys(apiErrorCodes) },
            message: {
              type: "string",
              description: "Generic text from the text table; never Cognito's words",
            },
            requestId: str,
            fields: { type: "array", items: str },
            attemptsLeft: { type: "integer" },
          },
          required: ["error", "message"],
        },
      },
    },
  };
}

/**
 * A warrant with every extension on and the default basePath. Its Cognito and API Gateway endpoints are
 * a closed local port: the document needs no network, and neither does the test that sends it requests.
 */
export function documentedWarrant(): ReturnType<typeof createWarrant> {
  const closed = "http://127.0.0.1:9";
  return createWarrant({
    userPoolId: "eu-west-1_OpenApi",
    clientId: "openapi",
    secret: "x".repeat(32),
    endpoint: closed,
    extensions: [
      passkeys(),
      devices(),
      managedLogin({
        domain: "auth.example.com",
        redirectUri: "https://app.example.com/accounts/oauth2/callback",
      }),
      apiGateway({ region: "eu-west-1", endpoint: closed }),
    ],
  });
}

/** The document for the library as it is (docs/openapi.json). */
export function generate(): string {
  const warrant = documentedWarrant();
  const table = routeTable(warrant.config);
  if (!table) throw new Error("no route table for the warrant");
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return `${JSON.stringify(openapiDocument(table, warrant.config.basePath, pkg.version), null, 2)}\n`;
}

const target = fileURLToPath(new URL("../docs/openapi.json", import.meta.url));
if (process.argv[1]?.endsWith("openapi.ts")) {
  const text = generate();
  if (process.argv.includes("--check")) {
    if (readFileSync(target, "utf8") !== text) {
      console.error("docs/openapi.json is stale: run npm run openapi");
      process.exit(1);
    }
  } else writeFileSync(target, text);
}
