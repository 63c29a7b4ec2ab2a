/** loadOnce (src/load-once.ts): what the Cognito layer, the verifier and the route groups are loaded through. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadOnce } from "../../src/load-once.ts";

describe("loadOnce", () => {
  it("loads on the first call, not before, and once for callers at the same time and after", async () => {
    let loads = 0;
    const get = loadOnce(async () => ({ n: ++loads }));
    assert.equal(loads, 0);
    const [a, b] = await Promise.all([get(), get()]);
    assert.equal(a, b);
    assert.equal(await get(), a);
    assert.equal(loads, 1);
  });

  it("forgets a failed load, so the next call tries again, and keeps the first success", async () => {
    let loads = 0;
    const get = loadOnce(async () => {
      loads++;
      if (loads === 1) throw new Error("broken install");
      return loads;
    });
    await assert.rejects(get(), /broken install/);
    assert.equal(await get(), 2);
    assert.equal(await get(), 2);
    assert.equal(loads, 2);
  });
});
