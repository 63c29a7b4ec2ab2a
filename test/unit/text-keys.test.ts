/**
 * `options.text` is checked at construction: a key no table knows is refused with its name, so a
 * misspelt key cannot leave a page in English without a word (issue 11, item 7).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createWarrant, defaultText, WarrantError } from "../../src/mod.ts";
import { passkeys } from "../../src/passkeys/mod.ts";
import { SECRET } from "../support/setup.ts";

const base = { userPoolId: "eu-west-1_Text", clientId: "client", secret: SECRET };
const refused = (text: Record<string, string>, extensions: never[] = []) =>
  assert.throws(
    () => createWarrant({ ...base, text, extensions } as never),
    (error: unknown) =>
      error instanceof WarrantError &&
      error.code === "invalid_options" &&
      error.message.startsWith(
        `warrant: options.text[${JSON.stringify(Object.keys(text)[0])}] is not a known text key`,
      ),
  );

describe("options.text keys", () => {
  it("refuses an unknown key, naming it", () => {
    refused({ "login.titel": "Anmelden" });
    refused({ nonsense: "x" });
  });

  it("takes every built-in key and any attribute label, and shows them", async () => {
    const warrant = createWarrant({
      ...base,
      text: { "login.title": "Anmelden", "attr.custom:plan": "Tarif" },
    });
    const page = await (await warrant.handler(new Request("http://localhost/accounts/login"))).text();
    assert.match(page, /Anmelden/);
    assert.ok(Object.keys(defaultText).length > 100);
  });

  it("takes an extension's keys only with that extension", () => {
    const key = "passkeys.link";
    refused({ [key]: "Keys" });
    assert.doesNotThrow(() =>
      createWarrant({ ...base, authFlow: "USER_AUTH", text: { [key]: "Keys" }, extensions: [passkeys()] }),
    );
    refused({ "passkeys.lnik": "Keys" }, [passkeys()] as never[]);
  });
});
