/**
 * The shape of src/ (STRUCTURE.md), held by a test so it cannot drift: no import cycle, the AWS SDK
 * reached only from src/cognito/, Web-standard only, and no file grown past 450 lines.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
const source = [...files("src"), ...files("adapters")];
const text = new Map(source.map((f) => [f, readFileSync(join(root, f), "utf8")]));
const specifiers = (file: string) =>
  [...text.get(file)!.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"|import\("([^"]+)"\)/gm)].map(
    (m) => (m[1] ?? m[2])!,
  );
const localImports = (file: string) =>
  specifiers(file)
    .filter((s) => s.startsWith("."))
    .map((s) => relative(root, resolve(root, dirname(file), s)));

describe("structure of src/", () => {
  it("has no import cycle in src/ or adapters/ (type imports count too)", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of localImports(file)) if (text.has(next)) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of source) visit(file, []);
    assert.deepEqual(cycles, []);
    assert.ok(localImports("src/warrant.ts").length > 10, "the import reader found the root's imports");
  });

  it("imports the AWS SDK (any @aws-sdk/ package) at run time only from src/cognito/", () => {
    const offenders = [...files("src")].filter(
      (f) =>
        !f.startsWith("src/cognito/") && /^\s*import\s+(?!type\b)[^;]*from\s+"@aws-sdk\//m.test(text.get(f)!),
    );
    assert.deepEqual(offenders, []);
  });

  it("keeps the API Gateway module optional: its SDK only in src/cognito/api-gateway.ts, and only src/api-gateway/ imports either", () => {
    const sdk = [...files("src"), ...files("adapters")].filter(
      (f) =>
        f !== "src/cognito/api-gateway.ts" &&
        /^\s*import\s+(?!type\b)[^;]*from\s+"@aws-sdk\/client-api-gateway"/m.test(text.get(f)!),
    );
    assert.deepEqual(sdk, []);
    const users = source.filter(
      (f) =>
        !f.startsWith("src/api-gateway/") &&
        localImports(f).some((i) => i.startsWith("src/api-gateway/") || i === "src/cognito/api-gateway.ts"),
    );
    assert.deepEqual(users, [], "only apps import @warrant/cognito/api-gateway");
  });

  it("is Web-standard: no node: imports, no process, no Buffer in src/", () => {
    for (const file of files("src")) {
      const code = text.get(file)!.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
      assert.doesNotMatch(code, /from\s+"node:|\bprocess\.|\bBuffer\b/, file);
    }
  });

  it("keeps every file of src/ under 450 lines", () => {
    const long = files("src")
      .map((f) => [f, text.get(f)!.split("\n").length] as const)
      .filter(([, lines]) => lines > 450);
    assert.deepEqual(long, []);
  });
});
