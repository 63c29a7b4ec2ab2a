/**
 * @module
 * `@warrant/cognito/api-gateway`: django-warrant's API Gateway pages as an optional extension. A user's
 * API key id lives in a Cognito attribute (`custom:api_key_id`); this module shows the usage plans that
 * key is on (`GET <basePath>/profile/subscriptions`), lets staff subscribe it to the plans the app offers
 * and unsubscribe it (a section of `GET/POST <basePath>/admin/users/:username`), and gives `withApiKey` a
 * validator that asks API Gateway whether a key is enabled and on a plan.
 *
 * It is its own entry point on `@aws-sdk/client-api-gateway`: an app that does not import it bundles
 * neither this module nor that SDK.
 *
 * @example
 * ```ts
 * import { createWarrant, withApiKey } from "@warrant/cognito";
 * import { apiGateway } from "@warrant/cognito/api-gateway";
 *
 * const gateway = apiGateway({ plans: ["a1b2c3", "d4e5f6"] });
 * const warrant = createWarrant({ userPoolId, clientId, secret, extensions: [gateway] });
 * const api = withApiKey(handler, { required: true, validate: gateway.validateKey });
 * ```
 */

import { createGatewayCalls, type GatewayCalls, type UsagePlan } from "../cognito/api-gateway.ts";
import { WarrantError } from "../errors.ts";
import type { WarrantExtension } from "../http/extensions.ts";
import type { WarrantConfig } from "../options.ts";
import { type ApiGatewayOptions, resolveApiGatewayOptions } from "./options.ts";
import { apiGatewayText } from "./pages.ts";
import { gatewayAdminSection, isOffered, subscriptionRoutes } from "./routes.ts";
import { createKeyValidator } from "./validator.ts";

export type { ApiKeyInfo, UsagePlan } from "../cognito/api-gateway.ts";
export type { ApiGatewayEvent, ApiGatewayOptions } from "./options.ts";
export type { AdminSectionProps, SubscriptionsProps } from "./pages.ts";
export { apiGatewayText } from "./pages.ts";

/** The API Gateway extension: pass it in `extensions`, and use `validateKey` with `withApiKey`. */
export interface ApiGateway extends WarrantExtension {
  readonly name: "api-gateway";
  /**
   * For `withApiKey({ validate })`: true when API Gateway knows the key, it is enabled and it is on an
   * offered plan; false otherwise. Verdicts are cached for `cacheTtl` seconds. An API Gateway outage
   * throws, which `withApiKey` answers with 503 + `Retry-After` (never a pass).
   */
  validateKey(key: string): Promise<boolean>;
  /** The usage plans a key (by id) is subscribed to. */
  plansOfKey(keyId: string): Promise<UsagePlan[]>;
}

/**
 * The API Gateway extension. Options are checked here; the client is made on first use, in the region
 * (and with the credentials) of the first warrant it is passed to unless the options name them.
 *
 * @example
 * ```ts
 * const gateway = apiGateway({ keyIdAttribute: "custom:api_key_id", plans: "all" });
 * createWarrant({ ...options, extensions: [gateway] });
 * ```
 */
export function apiGateway(options: ApiGatewayOptions = {}): ApiGateway {
  const settings = resolveApiGatewayOptions(options);
  let warrant: WarrantConfig | undefined;
  let calls: GatewayCalls | undefined;
  const attach = (config: WarrantConfig) => {
    warrant ??= config;
  };
  const getCalls = (): GatewayCalls => {
    if (calls) return calls;
    const region = settings.region ?? warrant?.region;
    if (!region) {
      throw new WarrantError(
        "invalid_options",
        "apiGateway options.region is required to use the extension before it is passed to createWarrant",
      );
    }
    calls = createGatewayCalls({
      region,
      endpoint: settings.endpoint,
      credentials: settings.credentials ?? warrant?.credentials,
    });
    return calls;
  };
  const gateway = { settings, calls: getCalls };
  const validateKey = createKeyValidator({
    calls: getCalls,
    offered: (planId) => isOffered(settings, planId),
    cacheTtl: settings.cacheTtl,
    now: () => (warrant?.now ?? Date.now)(),
  });

  return {
    name: "api-gateway",
    text: apiGatewayText,
    profileLinks: [{ path: "/profile/subscriptions", text: "apiGateway.link" }],
    routes(deps) {
      attach(deps.config);
      return subscriptionRoutes(deps, gateway);
    },
    adminUser(deps) {
      attach(deps.config);
      return gatewayAdminSection(deps, gateway);
    },
    validateKey,
    plansOfKey: (keyId) => getCalls().plansOfKey(keyId),
  };
}
