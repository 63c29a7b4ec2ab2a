import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BodyError, maxBodyBytes, readBody } from "../../src/http/body.ts";

const post = (body: BodyInit | null, type?: string, headers: Record<string, string> = {}) =>
  new Request("http://localhost/x", {
    method: "POST",
    body,
    headers: { ...(type ? { "content-type": type } : {}), ...headers },
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);

const refused = async (request: Request, status: number) => {
  await assert.rejects(readBody(request), (e: unknown) => e instanceof BodyError && e.status === status);
};

describe("request bodies (R3)", () => {
  it("reads forms and JSON objects of strings", async () => {
    const form = await readBody(post("a=1&b=x%20y", "application/x-www-form-urlencoded"));
    assert.deepEqual({ ...form.fields }, { a: "1", b: "x y" });
    assert.equal(form.json, false);
    const json = await readBody(
      post(JSON.stringify({ a: "1", skip: null }), "application/json; charset=utf-8"),
    );
    assert.deepEqual({ ...json.fields }, { a: "1" });
    assert.equal(json.json, true);
  });

  it("passes passwords through untouched (R4)", async () => {
    const password = " pässwörd with spaces\u00a0";
    const body = await readBody(post(JSON.stringify({ password }), "application/json"));
    assert.equal(body.fields.password, password);
  });

  it("refuses other content types (415), malformed JSON, non-strings, nesting and duplicate form fields (400)", async () => {
    await refused(post("x", "text/plain"), 415);
    await refused(post("{", "application/json"), 400);
    await refused(post("[]", "application/json"), 400);
    await refused(post(JSON.stringify({ a: 1 }), "application/json"), 400);
    await refused(post(JSON.stringify({ a: { b: "c" } }), "application/json"), 400);
    await refused(post("a=1&a=2", "application/x-www-form-urlencoded"), 400);
    await refused(post(new Uint8Array([0xff, 0xfe]), "application/x-www-form-urlencoded"), 400);
  });

  it("takes one flat object of strings where the route allows it", async () => {
    const body = await readBody(
      post(JSON.stringify({ attributes: { given_name: "Ada" } }), "application/json"),
      {
        objects: ["attributes"],
      },
    );
    assert.deepEqual({ ...body.objects.attributes }, { given_name: "Ada" });
  });

  it("caps the size while streaming without trusting Content-Length (413)", async () => {
    await refused(post("a".repeat(maxBodyBytes + 1), "application/x-www-form-urlencoded"), 413);
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(4096).fill(97));
      },
    });
    await refused(post(endless, "application/x-www-form-urlencoded"), 413);
    assert.ok(pulls < 10, `read ${pulls} chunks of an endless body`);
    // A declared length over the cap is refused before anything is read.
    await refused(
      post("a=1", "application/x-www-form-urlencoded", { "content-length": String(maxBodyBytes * 4) }),
      413,
    );
  });
});
