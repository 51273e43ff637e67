import { RawJson } from "@clawbridge/rpc-core";
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../src/config/load-config.js";
import type { RelayConfig } from "../src/config/relay-config.js";
import { ClientPolicy } from "../src/policy/client-policy.js";
import { DEFAULT_DENY_PATTERNS } from "../src/policy/default-deny.js";
import { compilePattern } from "../src/policy/pattern.js";
import { denialError, RELAY_POLICY_DENIED } from "../src/policy/policy-denial.js";
import { baseScopesOf, minimalScopesFor } from "../src/policy/policy-scopes.js";
import { hashToken, PolicySet } from "../src/policy/policy-set.js";
import { RateLimits } from "../src/policy/rate-limits.js";

function config(clients: string): RelayConfig {
  const result = parseConfigText(
    `upstreams:\n  gw2: { url: "ws://10.0.0.2:1", token: { env: T } }\n  gw3: { url: "ws://10.0.0.3:1", token: { env: T } }\nclients:\n${clients}`,
    "relay.yaml",
  );
  if (!result.ok) throw new Error(result.issues.map((issue) => issue.message).join("; "));
  return result.loaded.config;
}

function policy(body: string): ClientPolicy {
  const parsed = config(`  c:\n    tokenSha256: ${"b".repeat(64)}\n    upstreams: [gw2]\n${body}`);
  return new ClientPolicy("c", parsed.clients["c"] as RelayConfig["clients"][string], parsed.defaults);
}

describe("patterns", () => {
  it("* spans dots, ? is one character, everything else is literal", () => {
    expect(compilePattern("node.*").matches("node.pair.approve")).toBe(true);
    expect(compilePattern("node.*").matches("nodeXlist")).toBe(false);
    expect(compilePattern("node.?ist").matches("node.list")).toBe(true);
    expect(compilePattern("a+b").matches("a+b")).toBe(true);
    expect(compilePattern("*").matches("anything.at.all")).toBe(true);
    expect(compilePattern("health").exact).toBe(true);
  });
});

describe("method decisions", () => {
  it("allows only what the allowlist matches", () => {
    const p = policy('    allow: [health, "node.*"]\n');
    expect(p.checkMethod("health")).toBeUndefined();
    expect(p.checkMethod("node.list")).toBeUndefined();
    expect(p.checkMethod("status")).toMatchObject({ rule: "methodNotAllowed" });
  });

  it("keeps every default-deny family closed to wildcards", () => {
    const p = policy('    allow: ["*"]\n');
    const samples = ["config.get", "exec.approvals.set", "wizard.next", "update.run", "device.token.rotate", "node.pair.approve"];
    expect(samples.map((method) => p.checkMethod(method)?.rule)).toEqual(samples.map(() => "defaultDeny"));
    expect(DEFAULT_DENY_PATTERNS).toEqual(["config.*", "exec.approvals.*", "wizard.*", "update.*", "device.*", "node.pair.*"]);
    // Same-prefix families that are not in the list stay reachable.
    expect(p.checkMethod("exec.approval.list")).toBeUndefined();
    expect(p.checkMethod("node.list")).toBeUndefined();
    // A family glob is still a wildcard: it does not opt in.
    expect(policy('    allow: ["config.*"]\n').checkMethod("config.get")).toMatchObject({ rule: "defaultDeny", details: { pattern: "config.*" } });
  });

  it("opens a default-denied method only when allow names it exactly, and deny always wins", () => {
    const exact = policy('    allow: ["config.get", "*"]\n');
    expect(exact.checkMethod("config.get")).toBeUndefined();
    expect(exact.checkMethod("config.set")).toMatchObject({ rule: "defaultDeny" });
    const denied = policy('    allow: ["config.get"]\n    deny: ["config.get"]\n');
    expect(denied.checkMethod("config.get")).toMatchObject({ rule: "deny" });
    const denyGlob = policy('    allow: ["*"]\n    deny: ["node.invoke*"]\n');
    expect(denyGlob.checkMethod("node.invoke")).toMatchObject({ rule: "deny", details: { pattern: "node.invoke*" } });
  });

  it("constrains node ids and node.invoke commands, which need an explicit list", () => {
    const none = policy('    allow: ["node.*"]\n');
    expect(none.checkParams("node.invoke", { nodeId: "n1", command: "system.which" })).toMatchObject({ rule: "command" });
    expect(none.checkParams("node.describe", { nodeId: "anything" })).toBeUndefined();
    const p = policy('    allow: ["node.*"]\n    nodes: ["wn2-*"]\n    commands: ["system.which", "canvas.*"]\n');
    expect(p.checkParams("node.describe", { nodeId: "wn2-a" })).toBeUndefined();
    expect(p.checkParams("node.describe", { nodeId: "wn3" })).toMatchObject({ rule: "node", details: { nodeId: "wn3" } });
    expect(p.checkParams("node.invoke", { nodeId: "wn2-a", command: "canvas.snapshot" })).toBeUndefined();
    expect(p.checkParams("node.invoke", { nodeId: "wn2-a", command: "system.run" })).toMatchObject({ rule: "command" });
    expect(p.checkParams("node.invoke", { nodeId: "wn2-a" })).toMatchObject({ rule: "command" });
    expect(p.filterResult("node.list", { ts: 1, nodes: [{ nodeId: "wn2-a" }, { nodeId: "x" }] })).toEqual({ ts: 1, nodes: [{ nodeId: "wn2-a" }] });
    // Only answers the policy narrows must be read; the forwarder asks for raw ones everywhere else.
    expect([p.filtersResult("node.list"), p.filtersResult("node.describe"), none.filtersResult("node.list")]).toEqual([true, false, false]);
    const raw = new RawJson('{"nodes":[{"nodeId":"x"}]}');
    expect(none.filterResult("node.list", raw)).toBe(raw);
    expect(() => p.filterResult("node.list", raw)).toThrow(/cannot be filtered/);
    expect(p.allowsEvent("node.presence", { nodeId: "x" })).toBe(false);
    expect(p.allowsEvent("node.presence", { nodeId: "wn2-b" })).toBe(true);
  });

  it("shapes denials as OpenClaw errors: FORBIDDEN, or UNAVAILABLE + retryable for load rules", () => {
    expect(denialError({ rule: "node", message: "m", details: { nodeId: "x" } }).toErrorShape()).toEqual({
      code: "FORBIDDEN",
      message: "m",
      details: { code: RELAY_POLICY_DENIED, rule: "node", nodeId: "x" },
    });
    expect(denialError({ rule: "rateLimit", message: "m", retryAfterMs: 1200 }).toErrorShape()).toEqual({
      code: "UNAVAILABLE",
      message: "m",
      details: { code: RELAY_POLICY_DENIED, rule: "rateLimit" },
      retryable: true,
      retryAfterMs: 1200,
    });
  });
});

describe("routing, credentials and scopes", () => {
  it("routes to the requested upstream if allowed, else the first", () => {
    const parsed = config(`  c:\n    tokenSha256: ${"c".repeat(64)}\n    upstreams: [gw3, gw2]\n    allow: [health]\n`);
    const p = new PolicySet(parsed).clients.get("c");
    expect(p?.routeFor(undefined)).toBe("gw3");
    expect(p?.routeFor("gw2")).toBe("gw2");
    expect(p?.routeFor("gw9")).toBeUndefined();
  });

  it("finds clients by token hash and by approved device id", () => {
    const parsed = config(
      `  a:\n    tokenSha256: ${hashToken("token-a")}\n    upstreams: [gw2]\n  b:\n    devices: ["${"D".repeat(64)}"]\n    upstreams: [gw2]\n`,
    );
    const set = new PolicySet(parsed);
    expect(set.findByToken("token-a")?.id).toBe("a");
    expect(set.findByToken("token-b")).toBeUndefined();
    expect(set.findByDevice("d".repeat(64))?.id).toBe("b");
  });

  it("derives least-privilege scopes from allowed methods", () => {
    expect(baseScopesOf("node.invoke")).toEqual(["operator.write"]);
    expect(baseScopesOf("sessions.delete")).toEqual(["operator.write"]);
    expect(baseScopesOf("health")).toEqual(["operator.read"]);
    expect(baseScopesOf("node.invoke.result")).toEqual([]);
    expect(minimalScopesFor(["node.list", "node.invoke", "exec.approval.list"])).toEqual(["operator.read", "operator.write", "operator.approvals"]);
    const parsed = config(`  c:\n    tokenSha256: ${"c".repeat(64)}\n    upstreams: [gw2]\n    allow: [health, "node.list"]\n`);
    expect(new PolicySet(parsed).scopesNeededOn("gw2")).toEqual(["operator.read"]);
    expect(new PolicySet(parsed).scopesNeededOn("gw3")).toEqual([]);
  });
});

describe("rate limits", () => {
  it("limits per client and per method, with a retry hint", async () => {
    const p = policy('    allow: ["*"]\n    rateLimit: { perSecond: 3 }\n    methodRateLimits: { "node.*": { perMinute: 1 } }\n');
    const limits = new RateLimits();
    expect(await limits.consume(p, "node.list")).toBeUndefined();
    // Each method matching the pattern has its own counter.
    expect(await limits.consume(p, "node.describe")).toBeUndefined();
    expect(await limits.consume(p, "node.list")).toMatchObject({ rule: "rateLimit", details: { scope: "method", pattern: "node.*" } });
    const client = await limits.consume(p, "health");
    expect(client).toMatchObject({ rule: "rateLimit", details: { scope: "client", limit: "3 per 1s" } });
    expect(client?.retryAfterMs).toBeGreaterThan(0);
  });
});
