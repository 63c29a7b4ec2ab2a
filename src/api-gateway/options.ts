/**
 * @module
 * The options of `apiGateway(...)`, validated once with valibot, and the frozen settings derived from them.
 */
import * as v from "valibot";
import { WarrantError } from "../errors.ts";
import type { Credentials } from "../options.ts";
import type { AdminSectionProps, SubscriptionsProps } from "./pages.ts";

/** What a staff member did to a user's subscriptions, as `onEvent` hears it. */
export interface ApiGatewayEvent {
  type: "api-gateway.subscribed" | "api-gateway.unsubscribed";
  /** The Cognito username whose key changed. */
  username: string;
  keyId: string;
  planId: string;
  /** The Cognito username of the staff member who did it. */
  by: string;
  /** When, in ms since the epoch (the warrant's clock). */
  at: number;
}

/** Options of `apiGateway(...)`. */
export interface ApiGatewayOptions {
  /** The Cognito attribute that holds the user's API key id. @default "custom:api_key_id" */
  keyIdAttribute?: string;
  /**
   * The usage plans this app offers: staff may subscribe keys to them and unsubscribe keys from them,
   * and `validateKey` accepts keys on them. `"all"`, or a list of usage plan ids.
   * @default "all"
   */
  plans?: "all" | readonly string[];
  /** The API Gateway region. @default the warrant's region */
  region?: string;
  /** API Gateway endpoint override (moto, a VPC endpoint). @default AWS */
  endpoint?: string;
  /** AWS credentials for the API Gateway calls. @default the warrant's `credentials`, else the SDK's chain */
  credentials?: Credentials;
  /** Seconds `validateKey` trusts a verdict (and the list of key ids). @default 60 */
  cacheTtl?: number;
  /** Called after a staff member subscribed or unsubscribed a key. @default none */
  onEvent?: (event: ApiGatewayEvent) => void | Promise<void>;
  /** Replace the built-in HTML. @default built-in */
  pages?: {
    subscriptions?: (props: SubscriptionsProps) => string;
    adminSection?: (props: AdminSectionProps) => string;
  };
}

/** The validated settings. */
export interface ApiGatewaySettings {
  readonly keyIdAttribute: string;
  /** `null` means every plan. */
  readonly plans: ReadonlySet<string> | null;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly credentials: Credentials | undefined;
  readonly cacheTtl: number;
  readonly onEvent: ApiGatewayOptions["onEvent"];
  readonly pages: NonNullable<ApiGatewayOptions["pages"]>;
}

const plansMessage = 'must be "all" or a non-empty list of usage plan ids';
const planId = v.pipe(v.string(plansMessage), v.regex(/^[A-Za-z0-9]{1,64}$/, plansMessage));
const schema = v.strictObject(
  {
    keyIdAttribute: v.optional(
      v.pipe(
        v.string("must be a Cognito attribute name"),
        v.regex(/^[\w:-]{1,64}$/, 'must be a Cognito attribute name like "custom:api_key_id"'),
      ),
    ),
    plans: v.optional(
      v.union(
        [v.literal("all", plansMessage), v.pipe(v.array(planId, plansMessage), v.minLength(1, plansMessage))],
        plansMessage,
      ),
    ),
    region: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/, "must be a region like eu-west-1"))),
    endpoint: v.optional(v.pipe(v.string("must be a URL"), v.url("must be a URL"))),
    credentials: v.optional(
      v.custom<Credentials>(
        (c) =>
          typeof c === "function" ||
          (typeof c === "object" &&
            c !== null &&
            typeof (c as { accessKeyId?: unknown }).accessKeyId === "string" &&
            typeof (c as { secretAccessKey?: unknown }).secretAccessKey === "string"),
        "must be { accessKeyId, secretAccessKey } or a credential provider function",
      ),
    ),
    cacheTtl: v.optional(
      v.pipe(
        v.number("must be a whole number of seconds"),
        v.integer("must be a whole number of seconds"),
        v.minValue(1, "must be at least 1 second"),
      ),
    ),
    onEvent: v.optional(v.function("must be a function")),
    pages: v.optional(
      v.strictObject(
        {
          subscriptions: v.optional(v.function("must be a function that returns HTML")),
          adminSection: v.optional(v.function("must be a function that returns HTML")),
        },
        "is not a page of the API Gateway module",
      ),
    ),
  },
  "is not a known option",
);

/** Validates the options; a bad one throws a `WarrantError` naming it (`apiGateway options.plans ...`). */
export function resolveApiGatewayOptions(options: ApiGatewayOptions = {}): ApiGatewaySettings {
  const result = v.safeParse(schema, options);
  if (!result.success) {
    const issue = result.issues[0];
    const path = (issue.path ?? []).map((p: { key: unknown }) => String(p.key)).join(".");
    throw new WarrantError("invalid_options", `apiGateway options.${path} ${issue.message}`);
  }
  const o = result.output;
  return Object.freeze({
    keyIdAttribute: o.keyIdAttribute ?? "custom:api_key_id",
    plans: o.plans === undefined || o.plans === "all" ? null : new Set(o.plans),
    region: o.region,
    endpoint: o.endpoint?.replace(/\/+$/, ""),
    credentials: o.credentials as Credentials | undefined,
    cacheTtl: o.cacheTtl ?? 60,
    onEvent: o.onEvent as ApiGatewayOptions["onEvent"],
    pages: Object.freeze({ ...(o.pages ?? {}) }) as ApiGatewaySettings["pages"],
  });
}
