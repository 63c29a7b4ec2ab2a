/**
 * @module
 * The opt-in API Gateway validator for `withApiKey`: a key a caller presents passes when API Gateway
 * knows it (its id found through the values GetApiKeys lists, then GetApiKey, whose value must match in
 * constant time), it is enabled, and it is on one of the offered usage plans (GetUsagePlans with its id).
 *
 * Verdicts are kept for `cacheTtl` seconds under the SHA-256 of the key, never the key itself. An
 * unknown key is not remembered one by one (random keys must not fill memory): it is looked up in the
 * id index, which is listed again when it is older than `cacheTtl`, or at most every 10 s when a key is
 * missing from it, one listing at a time. Requests that present one key at the same time share one check.
 */
import { keysEqual } from "../api-key.ts";
import type { GatewayCalls } from "../cognito/api-gateway.ts";
import { valueHash } from "../cognito/api-gateway.ts";

/** What the validator needs. */
export interface ValidatorDeps {
  calls: () => GatewayCalls;
  /** Whether a plan id is offered. */
  offered: (planId: string) => boolean;
  /** Seconds a verdict and the id index are trusted. */
  cacheTtl: number;
  now: () => number;
}

/** An unknown key lists the keys again at most this often. */
const refetchGap = 10_000;
/** Verdicts kept at most; the oldest go first. */
const maxVerdicts = 10_000;

/**
 * Builds `validateKey(key)`: true when the key is valid at API Gateway, false when it is not. An outage
 * throws `WarrantError("api_gateway_unavailable")`, which `withApiKey` answers with 503.
 *
 * @example
 * ```ts
 * const validate = createKeyValidator({ calls, offered: () => true, cacheTtl: 60, now: Date.now });
 * await validate(key); // true | false
 * ```
 */
export function createKeyValidator(deps: ValidatorDeps): (key: string) => Promise<boolean> {
  const ttl = deps.cacheTtl * 1000;
  const verdicts = new Map<string, { ok: boolean; until: number }>();
  let index: { ids: Map<string, string>; at: number } | undefined;
  let listing: Promise<void> | undefined;

  const relist = () => {
    listing ??= deps
      .calls()
      .keyIdsByValueHash()
      .then((ids) => {
        index = { ids, at: deps.now() };
      })
      .finally(() => {
        listing = undefined;
      });
    return listing;
  };

  const idOf = async (hash: string): Promise<string | undefined> => {
    const age = index ? deps.now() - index.at : Number.POSITIVE_INFINITY;
    const known = index?.ids.get(hash);
    if (known && age < ttl) return known;
    if (known === undefined && age < refetchGap) return undefined;
    await relist();
    return index?.ids.get(hash);
  };

  const remember = (hash: string, ok: boolean) => {
    if (verdicts.size >= maxVerdicts) verdicts.delete(verdicts.keys().next().value as string);
    verdicts.set(hash, { ok, until: deps.now() + ttl });
    return ok;
  };

  const check = async (key: string, hash: string): Promise<boolean> => {
    const id = await idOf(hash);
    if (!id) return false;
    const found = await deps.calls().getKey(id, true);
    // The value must still be this key's: the index may be older than a key deleted and made again.
    if (!found || found.value === undefined || !keysEqual(found.value, key)) return false;
    if (!found.enabled) return remember(hash, false);
    const plans = await deps.calls().plansOfKey(id);
    return remember(
      hash,
      plans.some((p) => deps.offered(p.id)),
    );
  };

  // Callers presenting one key at once share one check.
  const inFlight = new Map<string, Promise<boolean>>();
  return async (key) => {
    const hash = valueHash(key);
    const cached = verdicts.get(hash);
    if (cached && cached.until > deps.now()) return cached.ok;
    verdicts.delete(hash);
    let pending = inFlight.get(hash);
    if (!pending) {
      pending = check(key, hash).finally(() => inFlight.delete(hash));
      inFlight.set(hash, pending);
    }
    return pending;
  };
}
