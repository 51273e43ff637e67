import { isMap, isPair, isScalar, isSeq } from "yaml";
import type { Document, LineCounter, Node as YamlNode } from "yaml";

/** A 1-based position in the config file. */
export interface SourcePosition {
  readonly line: number;
  readonly col: number;
}

function positionOf(node: { range?: [number, number, number] | null | undefined } | null | undefined, lines: LineCounter) {
  const start = node?.range?.[0];
  return start === undefined ? undefined : lines.linePos(start);
}

/**
 * The position of the YAML node a validation path points at, so an error reads
 * `relay.yaml:12:7`. Walks the document along `path`; where the path leaves the
 * document (a missing key), the deepest existing node answers, and a map entry is
 * reported at its key, which is where a reader looks.
 *
 * @param doc - the parsed document
 * @param lines - the line counter used while parsing
 * @param path - a zod issue path (`["clients", "wn1", "allow", 2]`)
 */
export function locatePath(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let best = positionOf(doc.contents as YamlNode | null, lines);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined) break;
      best = positionOf(pair.key as YamlNode, lines) ?? best;
      node = pair.value;
      continue;
    }
    if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) break;
      best = positionOf(item as YamlNode, lines) ?? best;
      node = item;
      continue;
    }
    break;
  }
  // When the whole path resolved to a scalar, its value is a better pointer than its key.
  if (path.length > 0 && isScalar(node)) return positionOf(node, lines) ?? best;
  return best;
}

/** `clients.wn1.allow[2]`: a zod path in the notation operators write in YAML. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(root)" : out;
}
