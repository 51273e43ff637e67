import { describe, expect, it } from "vitest";
import {
  assertWithinCeiling,
  backoffDelay,
  DEFAULT_BACKOFF,
  resolveRequestedScopes,
  ScopeCeilingError,
  scopesBeyondCeiling,
  scopesForMethods,
} from "../src/index.js";

describe("backoff", () => {
  it("grows ×2 from 1 s to a 30 s cap, with equal jitter", () => {
    const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(backoffDelay(0, DEFAULT_BACKOFF, 0, () => 0)).toBe(1000);
    expect(backoffDelay(0, DEFAULT_BACKOFF, 0, () => 0.999)).toBe(501);
    expect(backoffDelay(10, DEFAULT_BACKOFF, 0, () => 0.999)).toBe(15015);
  });

  it("spreads delays for many clients and honours retryAfterMs as a floor", () => {
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(3)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(4000);
    expect(backoffDelay(0, DEFAULT_BACKOFF, 7_000)).toBe(7_000);
  });
});

describe("least-privilege scopes", () => {
  it("derives per-method scopes, dynamic ones included", () => {
    expect(scopesForMethods(["node.list"])).toEqual(["operator.read"]);
    expect(scopesForMethods(["health"])).toEqual(["operator.read"]);
    expect(scopesForMethods([{ method: "node.invoke", params: { command: "system.run" } }])).toEqual(["operator.write"]);
    expect(scopesForMethods([{ method: "node.invoke", params: { command: "fs.listDir" } }])).toEqual(["operator.admin"]);
    expect(scopesForMethods([{ method: "agent", params: { message: "/reset" } }])).toEqual(["operator.admin"]);
    expect(scopesForMethods(["node.list", "node.invoke"])).toEqual(["operator.read", "operator.write"]);
    expect(scopesForMethods(["plugin.unknown"])).toContain("operator.admin");
  });

  it("resolves requested scopes: explicit > methods > stored token > read", () => {
    expect(resolveRequestedScopes({ scopes: ["operator.admin"], methods: ["node.list"] })).toEqual(["operator.admin"]);
    expect(resolveRequestedScopes({ methods: ["node.list"], storedTokenScopes: ["operator.write"] })).toEqual(["operator.read"]);
    expect(resolveRequestedScopes({ storedTokenScopes: ["operator.write"] })).toEqual(["operator.write"]);
    expect(resolveRequestedScopes({})).toEqual(["operator.read"]);
  });

  it("enforces a ceiling with implication rules", () => {
    expect(scopesBeyondCeiling(["operator.read"], ["operator.write"])).toEqual([]);
    expect(scopesBeyondCeiling(["operator.admin", "operator.read"], ["operator.write"])).toEqual(["operator.admin"]);
    expect(scopesBeyondCeiling(["operator.pairing"], ["operator.write"])).toEqual(["operator.pairing"]);
    expect(() => assertWithinCeiling(["operator.admin"], ["operator.read"], "config.get")).toThrow(ScopeCeilingError);
    expect(() => assertWithinCeiling(["operator.admin"], undefined)).not.toThrow();
  });
});
