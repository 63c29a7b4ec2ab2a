/**
 * @module
 * Request bodies (SECURITY.md R3): size capped while streaming, without trusting Content-Length; only
 * urlencoded forms and JSON objects of strings; duplicate fields refused (in JSON too); every field's
 * length checked as it is parsed (`fieldLimits`), before any pattern or Cognito call sees the value. An
 * empty body is an empty form, whatever its content type says (a `fetch(url, { method: "POST" })`).
 */
import { fieldLimits, maxFieldLength } from "../limits.ts";

/** Why a body was refused, with the status that says so. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The default cap on a body, in bytes. */
export const maxBodyBytes: number = 16 * 1024;

/** A parsed body: string fields, and whether it came as JSON. */
export interface Body {
  fields: Record<string, string>;
  /** JSON only: the fields named in `objects` when they hold an object of strings. */
  objects: Record<string, Record<string, string>>;
  json: boolean;
  /**
   * No body and no form content type (a script's `fetch(url, { method: "POST" })`, or JSON with no
   * body): nothing was submitted but the request itself.
   */
  empty: boolean;
}

/** What {@link readBody} accepts beyond flat string fields. */
export interface BodyOptions {
  /** The byte cap (default {@link maxBodyBytes}). */
  limit?: number;
  /**
   * JSON fields that may hold one flat object of strings (e.g. a challenge answer's `attributes`);
   * any other nesting is still refused.
   */
  objects?: readonly string[];
}

async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new BodyError(413, "body too large");
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyError(413, "body too large");
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** True when the request says its body is JSON. */
export function isJsonBody(request: Request): boolean {
  return /^application\/json\s*(;|$)/i.test(request.headers.get("content-type") ?? "");
}

/** Stores one field, refusing a second of the same name and a value over its length. */
function put(into: Record<string, string>, key: string, value: string): void {
  if (key in into) throw new BodyError(400, "duplicate field");
  if (value.length > (Object.hasOwn(fieldLimits, key) ? fieldLimits[key]! : maxFieldLength))
    throw new BodyError(400, "field too long");
  into[key] = value;
}

/**
 * A JSON scanner for the one shape bodies may have: an object whose values are strings, `null`, or
 * (for the names in `objects`) a flat object of strings. Unlike `JSON.parse`, it refuses a key that
 * appears twice instead of keeping the last, and it runs in one pass with no backtracking.
 */
function parseJson(text: string, objects: readonly string[]): Omit<Body, "json" | "empty"> {
  let i = 0;
  const bad = (): never => {
    throw new BodyError(400, "body is not a JSON object of strings");
  };
  const space = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t"))
      i++;
  };
  const expect = (char: string) => {
    space();
    if (text[i] !== char) bad();
    i++;
  };
  const string = (): string => {
    space();
    if (text[i] !== '"') bad();
    const start = i++;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) i++;
      else if (c === 0x22) break;
      else if (c < 0x20) bad();
    }
    if (i >= text.length) bad();
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return bad();
    }
  };
  /** `{ "k": value, … }`, each value read by `value` (which returns undefined for a null to skip). */
  const object = (value: (key: string) => void) => {
    expect("{");
    space();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      const key = string();
      expect(":");
      value(key);
      space();
      if (text[i] === ",") {
        i++;
        continue;
      }
      expect("}");
      return;
    }
  };
  const isNull = () => {
    space();
    if (text.startsWith("null", i)) {
      i += 4;
      return true;
    }
    return false;
  };
  const fields: Record<string, string> = Object.create(null);
  const nested: Record<string, Record<string, string>> = Object.create(null);
  const seen = new Set<string>();
  object((key) => {
    if (seen.has(key)) throw new BodyError(400, "duplicate field");
    seen.add(key);
    if (isNull()) return;
    space();
    if (text[i] === "{" && objects.includes(key)) {
      const inner: Record<string, string> = Object.create(null);
      object((name) => put(inner, name, string()));
      nested[key] = inner;
      return;
    }
    put(fields, key, string());
  });
  space();
  if (i !== text.length) bad();
  return { fields, objects: nested };
}

/**
 * Reads a form or JSON body into string fields.
 *
 * @example
 * ```ts
 * const { fields } = await readBody(request); // throws BodyError(413 | 415 | 400)
 * ```
 */
export async function readBody(request: Request, options: BodyOptions = {}): Promise<Body> {
  const limit = options.limit ?? maxBodyBytes;
  const type = request.headers.get("content-type") ?? "";
  const json = isJsonBody(request);
  const form = /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
  const declared = request.headers.get("content-length");
  // A body of another type is refused unread when it says it has bytes; one that says nothing is read
  // (within the cap) to see whether it is empty.
  if (!json && !form && declared !== null && declared !== "0")
    throw new BodyError(415, "unsupported content type");
  const bytes = await readCapped(request, limit);
  // Nothing sent: no fields. Without a form's content type it is a script's bare POST, which is
  // `empty` (a browser form always says urlencoded, so an empty one still needs its CSRF token).
  if (bytes.byteLength === 0)
    return { fields: Object.create(null), objects: Object.create(null), json, empty: !form };
  if (!json && !form) throw new BodyError(415, "unsupported content type");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BodyError(400, "body is not UTF-8");
  }
  if (json) return { ...parseJson(text, options.objects ?? []), json, empty: false };
  const fields: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) put(fields, key, value);
  return { fields, objects: Object.create(null), json, empty: false };
}
