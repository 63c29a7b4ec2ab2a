/**
 * @module
 * Every API Gateway call of `@warrant/cognito/api-gateway` (in src/cognito/ with every other AWS SDK
 * command; only src/api-gateway/ imports it, so the module stays optional), and the only module that imports
 * `@aws-sdk/client-api-gateway`: usage plans (all, or those of one key), one API key, subscribing and
 * unsubscribing a key, and the key values for the validator. Each returns what it found, or a result for
 * what API Gateway refused; an outage or a throttle throws `WarrantError("api_gateway_unavailable")`
 * (503), anything else it refuses `api_gateway_rejected`. API Gateway's messages are never passed on.
 */
import {
  APIGatewayClient,
  CreateUsagePlanKeyCommand,
  DeleteUsagePlanKeyCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetUsagePlansCommand,
} from "@aws-sdk/client-api-gateway";
import { WarrantError } from "../errors.ts";
import type { Credentials } from "../options.ts";
import { sha256Hex } from "../sha256.ts";

/** A usage plan as the pages show it. */
export interface UsagePlan {
  id: string;
  name: string;
  description: string;
  /** Requests per second and burst; `null` when the plan sets none. */
  throttle: { rateLimit: number | null; burstLimit: number | null } | null;
  /** Requests per period (`DAY`, `WEEK`, `MONTH`); `null` when the plan sets none. */
  quota: { limit: number; period: string; offset: number } | null;
}

/** An API key as GetApiKey returns it; `value` only when asked for. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  enabled: boolean;
  value?: string;
}

/** The API Gateway calls, bound to one SDK client. */
export interface GatewayCalls {
  /** Every usage plan (GetUsagePlans, all pages). */
  allPlans(): Promise<UsagePlan[]>;
  /** The plans a key is subscribed to (GetUsagePlans with `keyId`); none for a key API Gateway does not know or a malformed id. */
  plansOfKey(keyId: string): Promise<UsagePlan[]>;
  /** One key (GetApiKey); `null` when API Gateway does not know it or the id is malformed. */
  getKey(keyId: string, includeValue?: boolean): Promise<ApiKeyInfo | null>;
  /** CreateUsagePlanKey; a key already on the plan counts as done. */
  subscribe(planId: string, keyId: string): Promise<{ ok: true } | { ok: false; reason: "not_found" }>;
  /** DeleteUsagePlanKey. */
  unsubscribe(planId: string, keyId: string): Promise<{ ok: true } | { ok: false; reason: "not_found" }>;
  /** Every key's id by the hex SHA-256 of its value (GetApiKeys with values, all pages). */
  keyIdsByValueHash(): Promise<Map<string, string>>;
}

/** How the client is made. */
export interface GatewayClientOptions {
  region: string;
  endpoint?: string | undefined;
  credentials?: Credentials | undefined;
}

/** API Gateway ids (plans, keys) are short alphanumeric strings; anything else never reaches the SDK. */
export const gatewayIdPattern: RegExp = /^[A-Za-z0-9]{1,64}$/;

/** A page of GetUsagePlans / GetApiKeys holds at most this many; the loop stops after `maxPages`. */
const pageSize = 500;
const maxPages = 20;
const attempts = 3;

/** The hex SHA-256 of a key value: how the validator holds values it has seen. */
export const valueHash: (value: string) => string = sha256Hex;

type Failure = "not_found" | "conflict" | "unavailable" | "rejected";

/**
 * Sorts an SDK error. API Gateway answered only when the error carries an HTTP status: the SDK attaches
 * `$metadata` to connection errors too (refused, reset, unresolved), without one, and those are outages.
 */
function classify(error: unknown): Failure {
  const e = error as { name?: string; $fault?: string; $metadata?: { httpStatusCode?: unknown } } | null;
  const status = typeof e === "object" && e !== null ? e.$metadata?.httpStatusCode : undefined;
  if (typeof status !== "number" || !e) return "unavailable";
  if (e.$fault === "server" || status >= 500 || status === 429) return "unavailable";
  if (e.name === "TooManyRequestsException" || e.name === "LimitExceededException") return "unavailable";
  if (e.name === "NotFoundException") return "not_found";
  if (e.name === "ConflictException") return "conflict";
  return "rejected";
}

function toError(kind: Failure, during: string, cause: unknown): WarrantError {
  return kind === "unavailable"
    ? new WarrantError("api_gateway_unavailable", `API Gateway is unavailable (${during})`, { cause })
    : new WarrantError("api_gateway_rejected", `API Gateway refused ${during}`, { cause });
}

const plan = (p: {
  id?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  throttle?: { rateLimit?: number | undefined; burstLimit?: number | undefined } | undefined;
  quota?:
    | { limit?: number | undefined; period?: string | undefined; offset?: number | undefined }
    | undefined;
}): UsagePlan => ({
  id: p.id ?? "",
  name: p.name ?? p.id ?? "",
  description: p.description ?? "",
  throttle:
    p.throttle && (p.throttle.rateLimit !== undefined || p.throttle.burstLimit !== undefined)
      ? { rateLimit: p.throttle.rateLimit ?? null, burstLimit: p.throttle.burstLimit ?? null }
      : null,
  quota:
    p.quota?.limit !== undefined
      ? { limit: p.quota.limit, period: p.quota.period ?? "", offset: p.quota.offset ?? 0 }
      : null,
});

/**
 * Builds the SDK client and binds the calls to it. Never touches the network. The SDK's own retries are
 * off: reads are retried here on outages with backoff, writes are sent once.
 *
 * @example
 * ```ts
 * const calls = createGatewayCalls({ region: "eu-west-1" });
 * const plans = await calls.plansOfKey("a1b2c3d4e5");
 * ```
 */
export function createGatewayCalls(
  options: GatewayClientOptions,
  sleep: (ms: number) => Promise<unknown> = (ms) => new Promise((r) => setTimeout(r, ms)),
): GatewayCalls {
  const sdk = new APIGatewayClient({
    region: options.region,
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });

  /** Sends a command; NotFound and Conflict come back as their kind, any other failure throws. */
  async function send<Output>(
    command: { readonly input: unknown },
    during: string,
    read: boolean,
  ): Promise<Output | Failure> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await sdk.send(command as never)) as Output;
      } catch (error) {
        const kind = classify(error);
        if (kind === "not_found" || kind === "conflict") return kind;
        if (read && kind === "unavailable" && attempt < attempts) {
          await sleep(Math.random() * 100 * 2 ** attempt);
          continue;
        }
        throw toError(kind, during, error);
      }
    }
  }

  /** Every item of a paged listing. */
  async function all<Item>(
    make: (position: string | undefined) => { readonly input: unknown },
    during: string,
  ): Promise<Item[]> {
    const items: Item[] = [];
    let position: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const out = await send<{ items?: Item[]; position?: string }>(make(position), during, true);
      if (typeof out === "string") return items;
      items.push(...(out.items ?? []));
      if (!out.position || out.position === position) break;
      position = out.position;
    }
    return items;
  }

  return {
    async allPlans() {
      const items = await all<Parameters<typeof plan>[0]>(
        (position) => new GetUsagePlansCommand({ limit: pageSize, ...(position ? { position } : {}) }),
        "listing usage plans",
      );
      return items.map(plan);
    },
    async plansOfKey(keyId) {
      if (!gatewayIdPattern.test(keyId)) return [];
      const items = await all<Parameters<typeof plan>[0]>(
        (position) => new GetUsagePlansCommand({ keyId, limit: pageSize, ...(position ? { position } : {}) }),
        "listing a key's usage plans",
      );
      return items.map(plan);
    },
    async getKey(keyId, includeValue = false) {
      if (!gatewayIdPattern.test(keyId)) return null;
      const out = await send<{ id?: string; name?: string; enabled?: boolean; value?: string }>(
        new GetApiKeyCommand({ apiKey: keyId, includeValue }),
        "reading an API key",
        true,
      );
      if (typeof out === "string") {
        if (out === "not_found") return null;
        throw toError(out, "reading an API key", undefined);
      }
      return {
        id: out.id ?? keyId,
        name: out.name ?? "",
        enabled: out.enabled === true,
        ...(includeValue && out.value !== undefined ? { value: out.value } : {}),
      };
    },
    async subscribe(planId, keyId) {
      const out = await send(
        new CreateUsagePlanKeyCommand({ usagePlanId: planId, keyId, keyType: "API_KEY" }),
        "subscribing a key to a usage plan",
        false,
      );
      // ConflictException: the key is on the plan already, which is what was asked.
      return out === "not_found" ? { ok: false, reason: "not_found" } : { ok: true };
    },
    async unsubscribe(planId, keyId) {
      const out = await send(
        new DeleteUsagePlanKeyCommand({ usagePlanId: planId, keyId }),
        "unsubscribing a key from a usage plan",
        false,
      );
      return out === "not_found" ? { ok: false, reason: "not_found" } : { ok: true };
    },
    async keyIdsByValueHash() {
      const items = await all<{ id?: string; value?: string }>(
        (position) =>
          new GetApiKeysCommand({ includeValues: true, limit: pageSize, ...(position ? { position } : {}) }),
        "listing API keys",
      );
      const ids = new Map<string, string>();
      for (const { id, value } of items) if (id && value) ids.set(valueHash(value), id);
      return ids;
    },
  };
}
