/**
 * @module
 * A Worker that runs the SRP known-answer vectors inside workerd (bundled and started by
 * test/workerd/srp.test.ts); it answers with the vectors whose A or signature did not match.
 */
import { createSrpClient } from "../../src/cognito/srp.ts";
import fixture from "../fixtures/srp-vectors.json" with { type: "json" };

const bytes = (hex: string) => Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));

export default {
  async fetch(): Promise<Response> {
    const failures: string[] = [];
    for (const v of fixture.vectors) {
      const client = createSrpClient({ random: (b) => b.set(bytes(v.a)) });
      const out = await client.respond({ ...v, now: new Date(v.now) });
      if (
        client.srpA !== v.srpA ||
        out.PASSWORD_CLAIM_SIGNATURE !== v.signature ||
        out.TIMESTAMP !== v.timestamp
      ) {
        failures.push(v.name);
      }
    }
    return Response.json({ checked: fixture.vectors.length, failures });
  },
};
