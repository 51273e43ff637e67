/**
 * The key structure of a JSON value, for comparing payloads of two gateways key for key
 * without comparing values: objects become `{key: shape}` (sorted), non-empty arrays of
 * objects the shape of their first element, every other value (primitives, null, arrays of
 * primitives, empty arrays) `"·"`. Paths in `opaque` (dot-joined, `[]` for array items) are
 * kept as `"·"` too — their keys are data (channel ids, plugin names), not schema.
 */
export function keyShape(value: unknown, opaque: ReadonlySet<string> = new Set(), path = ""): unknown {
  if (opaque.has(path)) return "·";
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return typeof first === "object" && first !== null && !Array.isArray(first) ? [keyShape(first, opaque, `${path}[]`)] : "·";
  }
  if (typeof value === "object" && value !== null) {
    const shape: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      shape[key] = keyShape((value as Record<string, unknown>)[key], opaque, path === "" ? key : `${path}.${key}`);
    }
    return shape;
  }
  return "·";
}
