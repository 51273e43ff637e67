import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderCatalogue } from "../scripts/generate-method-catalogue.mjs";
import {
  DYNAMIC_SCOPE_METHODS,
  METHOD_CATALOGUE,
  METHOD_CATALOGUE_SOURCE,
  SCOPE_OVERRIDES_2026_9_6,
  catalogueScopeOf,
} from "../src/index.js";
import { contract, contractVersion } from "./helpers/contract.js";

const generatedPath = join(import.meta.dirname, "..", "src", "method-catalogue.generated.ts");

function countByScope(entries: Iterable<{ scope: string }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { scope } of entries) counts[scope] = (counts[scope] ?? 0) + 1;
  return counts;
}

describe("method catalogue (generated from protocol.schema.json)", () => {
  it("is not stale: the committed file equals what the generator renders from the pinned contract", () => {
    // Fails after a contract bump until `pnpm --filter @clawbridge/protocol generate` is run.
    expect(readFileSync(generatedPath, "utf8")).toBe(renderCatalogue());
  });

  it("names its source, and the source is the pinned contract", () => {
    expect(METHOD_CATALOGUE_SOURCE).toEqual({ package: "@openclaw/gateway-protocol", version: contractVersion });
    expect(readFileSync(generatedPath, "utf8")).toContain(`@openclaw/gateway-protocol@${contractVersion}`);
  });

  it("has all 410 methods of the contract, each with the contract's scope and since", () => {
    const names = Object.keys(METHOD_CATALOGUE);
    expect(names).toHaveLength(410);
    expect([...names].sort()).toEqual(Object.keys(contract.methods).sort());
    for (const [name, entry] of Object.entries(contract.methods)) {
      expect(METHOD_CATALOGUE[name as keyof typeof METHOD_CATALOGUE], name).toEqual({
        scope: entry.scope,
        since: entry.since,
      });
    }
  });

  it("has the contract's scope counts", () => {
    const expected = {
      "operator.read": 135,
      "operator.admin": 120,
      "operator.write": 83,
      "operator.approvals": 16,
      "operator.talk": 14,
      "operator.pairing": 14,
      dynamic: 12,
      node: 11,
      "operator.questions": 5,
    };
    expect(countByScope(Object.values(contract.methods))).toEqual(expected);
    expect(countByScope(Object.values(METHOD_CATALOGUE))).toEqual(expected);
  });

  it("is sorted by name (stable diffs on regeneration)", () => {
    const names = Object.keys(METHOD_CATALOGUE);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it("classifies the core methods as gateway-protocol §4.4 says", () => {
    expect(catalogueScopeOf("health")).toBe("operator.read");
    expect(catalogueScopeOf("status")).toBe("operator.read");
    expect(catalogueScopeOf("node.list")).toBe("operator.read");
    expect(catalogueScopeOf("node.invoke")).toBe("dynamic");
    expect(catalogueScopeOf("node.invoke.result")).toBe("node");
    expect(catalogueScopeOf("node.pair.approve")).toBe("operator.pairing");
    expect(catalogueScopeOf("set-heartbeats")).toBe("operator.admin");
    expect(catalogueScopeOf("exec.approval.resolve")).toBe("operator.approvals");
    expect(catalogueScopeOf("no.such.method")).toBeUndefined();
    // Not fooled by Object.prototype keys.
    expect(catalogueScopeOf("toString")).toBeUndefined();
    expect(catalogueScopeOf("__proto__")).toBeUndefined();
  });

  it("every method the contract calls dynamic has a params rule in scopes.ts", () => {
    const dynamic = Object.entries(METHOD_CATALOGUE)
      .filter(([, entry]) => entry.scope === "dynamic")
      .map(([name]) => name);
    for (const name of dynamic) expect(DYNAMIC_SCOPE_METHODS.has(name), name).toBe(true);
    // 2026.9.6 lists 13 dynamic methods: the 12 of 2026.9.1 plus environments.list.
    expect(DYNAMIC_SCOPE_METHODS.size).toBe(13);
    expect([...DYNAMIC_SCOPE_METHODS].filter((m) => !dynamic.includes(m))).toEqual(["environments.list"]);
  });

  it("the 2026.9.6 overrides still differ from the pinned catalogue (delete them once a bump makes them agree)", () => {
    for (const [method, scope] of Object.entries(SCOPE_OVERRIDES_2026_9_6)) {
      expect(catalogueScopeOf(method), method).toBeDefined();
      expect(catalogueScopeOf(method), method).not.toBe(scope);
    }
  });
});
