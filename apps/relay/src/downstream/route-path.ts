/** Where a client's upgrade request path sends it. */
export type RoutePath = { readonly ok: true; readonly upstream: string | undefined } | { readonly ok: false };

const GW_PATH = /^\/gw\/([^/]+)\/?$/;

/**
 * Parses the upgrade path: `/` (or empty) → the client's default upstream,
 * `/gw/<id>` → upstream `<id>`; anything else is not a relay socket.
 */
export function parseRoutePath(path: string): RoutePath {
  if (path === "/" || path === "") return { ok: true, upstream: undefined };
  const match = GW_PATH.exec(path);
  if (match === null) return { ok: false };
  let id: string;
  try {
    id = decodeURIComponent(match[1] as string);
  } catch {
    return { ok: false };
  }
  return { ok: true, upstream: id };
}
