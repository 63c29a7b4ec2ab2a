/**
 * @module
 * Request bodies (SECURITY.md R3): size capped while streaming, without trusting Content-Length; only
 * urlencoded forms and JSON objects of strings; duplicate fields refused.
 */

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
  if (!json && !form) throw new BodyError(415, "unsupported content type");
  const bytes = await readCapped(request, limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new BodyError(400, "body is not UTF-8");
  }
  const fields: Record<string, string> = Object.create(null);
  const objects: Record<string, Record<string, string>> = Object.create(null);
  if (json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new BodyError(400, "body is not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new BodyError(400, "body must be an object");
    for (const [key, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue;
      if (options.objects?.includes(key) && typeof value === "object" && !Array.isArray(value)) {
        const inner: Record<string, string> = Object.create(null);
        for (const [name, text] of Object.entries(value)) {
          if (typeof text !== "string") throw new BodyError(400, "fields must be strings");
          inner[name] = text;
        }
        objects[key] = inner;
        continue;
      }
      if (typeof value !== "string") throw new BodyError(400, "fields must be strings");
      fields[key] = value;
    }
    return { fields, objects, json };
  }
  for (const [key, value] of new URLSearchParams(text)) {
    if (key in fields) throw new BodyError(400, "duplicate field");
    fields[key] = value;
  }
  return { fields, objects, json };
}
