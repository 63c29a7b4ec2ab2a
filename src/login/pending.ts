/**
 * @module
 * Pending login challenges in storage: `challenges:<sha-256 of the id>` holds the challenge (with its
 * Cognito session) sealed like session tokens, for what is left of its TTL. The id is opaque, 32
 * random bytes, and single use: it is claimed in the shared counters before Cognito sees an answer
 * (the first claim wins on every instance), and any next step gets a new one (SECURITY.md S6). Answers
 * are counted there too, per login lineage, before they are sent (C3).
 */

import type { Challenge } from "../cognito/auth.ts";
import type { Counters } from "../counters.ts";
import { challengeTtl } from "../limits.ts";
import { randomToken } from "../sessions/cookie.ts";
import type { Keyring, Sealed } from "../sessions/crypto.ts";
import { sha256Hex } from "../sha256.ts";
import type { Store } from "../storage.ts";
import type { StoredChallenge, TotpSetup } from "./answers.ts";

/** A pending challenge as the caller sees it: answer it with `warrant.respond(challenge.id, ...)`. */
export interface PublicChallenge extends Challenge {
  /** Opaque, single-use handle of the pending challenge (its Cognito session stays in storage). */
  id: string;
  /** MFA_SETUP only: the TOTP secret to show (as a QR code of `uri`, and as text to type). */
  totp?: TotpSetup;
  /** A first factor of USER_AUTH: `{ anotherWay: true }` offers the other factors. */
  firstFactor?: true;
}

/** The pending challenges of one warrant. */
export interface PendingChallenges {
  /** Stores a challenge under a fresh id for what is left of its TTL; `null` when none is left. */
  put(record: StoredChallenge): Promise<PublicChallenge | null>;
  /** The challenge under `id`; `null` when the id is malformed, unknown, or does not open (altered, wrong key). */
  read(id: string): Promise<StoredChallenge | null>;
  /** True when the challenge's TTL has run out. */
  expired(record: StoredChallenge): boolean;
  /** Claims `id` for one answer, on every instance at once; false when it was claimed already (a racing answer or a replay). */
  claim(id: string): Promise<boolean>;
  /** Reserves one answer of the record's lineage step before it is sent; the count so far, this one included. */
  attempt(record: StoredChallenge): Promise<number>;
  /** True when an answer with `id` is on its way to Cognito from this instance. */
  claimed(id: string): boolean;
  remove(id: string): Promise<void>;
  /** What the caller may see of a stored challenge. */
  view(record: StoredChallenge, id: string): PublicChallenge;
}

const idPattern = /^[A-Za-z0-9_-]{20,64}$/;

/** Builds the pending-challenge store; `prefix` names its keys (another prefix, another store). */
export function createPendingChallenges(deps: {
  store: Store;
  keyring: Keyring;
  now: () => number;
  /** Where claims and answers are counted: shared, atomic counters (the rate limits' backend). */
  counters: Counters;
  /** @default "challenges" */
  prefix?: string;
}): PendingChallenges {
  const { store, keyring, now, counters } = deps;
  const prefix = deps.prefix ?? "challenges";
  const keyOf = (id: string) => `${prefix}:${sha256Hex(id)}`;
  // Challenge keys answered in this instance, until their TTL would have ended: answers racing here are
  // told apart without a round trip. The claim in the shared counters decides across instances.
  const spent = new Map<string, number>();
  const view = (record: StoredChallenge, id: string): PublicChallenge => ({
    name: record.name,
    parameters: record.parameters,
    username: record.username,
    ...(record.totp ? { totp: record.totp } : {}),
    ...(record.availableChallenges ? { availableChallenges: record.availableChallenges } : {}),
    ...(record.firstFactor ? { firstFactor: true } : {}),
    id,
  });

  return {
    async put(record) {
      const left = challengeTtl * 1000 - (now() - record.createdAt);
      if (left <= 0) return null;
      const id = randomToken();
      const key = keyOf(id);
      // Sealed like session tokens: Cognito's challenge session and a TOTP secret are credentials too.
      await store.set(key, await keyring.seal(JSON.stringify(record), key), left / 1000);
      return view(record, id);
    },

    async read(id) {
      if (typeof id !== "string" || !idPattern.test(id)) return null;
      const key = keyOf(id);
      const sealed = await store.get<Sealed>(key);
      if (!sealed) return null;
      const plain = await keyring.open(sealed, key);
      return plain === null ? null : (JSON.parse(plain) as StoredChallenge);
    },

    expired: (record) => now() - record.createdAt >= challengeTtl * 1000,

    async claim(id) {
      const key = keyOf(id);
      const t = now();
      for (const [k, until] of spent) if (until <= t) spent.delete(k);
      if (spent.has(key)) return false;
      spent.set(key, t + challengeTtl * 1000);
      // Atomic on the backend: of every instance claiming this id, exactly the first sees 1.
      try {
        const claims = `${prefix}-claims:${key.slice(prefix.length + 1)}`;
        return (await counters.hit(claims, challengeTtl * 1000)).count === 1;
      } catch (error) {
        // An outage (503) is not an answer: the challenge stays answerable once the counters are back.
        spent.delete(key);
        throw error;
      }
    },

    async attempt(record) {
      // A record from before lineages (or a held sign-up) counts under its own Cognito session.
      const lineage = record.lineage ?? record.session;
      const name = sha256Hex(`${lineage}:${record.step ?? 0}`);
      return (await counters.hit(`${prefix}-attempts:${name}`, challengeTtl * 1000)).count;
    },

    claimed: (id) => spent.has(keyOf(id)),

    remove: (id) => store.remove(keyOf(id)),

    view,
  };
}
