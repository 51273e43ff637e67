import { describe, expect, it } from "vitest";
import {
  AGENT_DENY_PATTERNS,
  APPROVAL_DECISION_METHODS,
  DEFAULT_DENY_PATTERNS,
  METHOD_CATALOGUE,
  agentDenyPatternOf,
  defaultDenyPatternOf,
  methodPatternMatches,
} from "../src/index.js";

const catalogue = Object.keys(METHOD_CATALOGUE);

describe("admin methods", () => {
  it("keeps the relay's default-deny families unchanged", () => {
    expect(DEFAULT_DENY_PATTERNS).toEqual(["config.*", "exec.approvals.*", "wizard.*", "update.*", "device.*", "node.pair.*"]);
    const samples = ["config.get", "exec.approvals.set", "wizard.next", "update.run", "device.token.rotate", "node.pair.approve"];
    expect(samples.map(defaultDenyPatternOf)).toEqual(DEFAULT_DENY_PATTERNS);
    // Same-prefix methods outside the families stay open.
    for (const method of ["exec.approval.list", "node.list", "node.invoke", "devices", "configure", "config"]) {
      expect(defaultDenyPatternOf(method), method).toBeUndefined();
    }
  });

  it("patterns are exact names or <prefix>.* families", () => {
    expect(methodPatternMatches("device.*", "device.pair.approve")).toBe(true);
    expect(methodPatternMatches("device.*", "devicex.list")).toBe(false);
    expect(methodPatternMatches("exec.approval.resolve", "exec.approval.resolve")).toBe(true);
    expect(methodPatternMatches("exec.approval.resolve", "exec.approval.resolveX")).toBe(false);
    expect(methodPatternMatches("*", "anything.at.all")).toBe(true);
  });

  it("every approval decision names a catalogue method", () => {
    for (const method of APPROVAL_DECISION_METHODS) expect(catalogue, method).toContain(method);
  });

  it("the agent list covers every approve/reject/resolve-approval method of the catalogue, and admin families", () => {
    // Decisions: approve/reject/resolve/dismiss/grant/revoke methods of the approval, pairing and question scopes.
    const human = new Set(["operator.approvals", "operator.pairing", "operator.questions", "dynamic"]);
    const decisions = catalogue.filter(
      (method) => human.has(METHOD_CATALOGUE[method as keyof typeof METHOD_CATALOGUE].scope) && /\.(approve|reject|resolve|dismiss|grant|revoke)$/.test(method),
    );
    expect(decisions).toEqual(expect.arrayContaining(["device.pair.approve", "exec.approval.resolve", "node.pair.reject", "question.resolve"]));
    for (const method of decisions) expect(agentDenyPatternOf(method), method).toBeDefined();
    for (const method of ["device.pair.approve", "exec.approval.resolve", "exec.approvals.set", "config.set", "node.pair.approve", "secrets.resolve", "plugin.approval.resolve"]) {
      expect(agentDenyPatternOf(method), method).toBeDefined();
    }
    // Reading what is pending stays possible, so do the ordinary verbs' methods.
    for (const method of ["exec.approval.list", "node.list", "node.describe", "sessions.resolve", "status", "health"]) {
      expect(agentDenyPatternOf(method), method).toBeUndefined();
    }
    expect(AGENT_DENY_PATTERNS.slice(0, DEFAULT_DENY_PATTERNS.length)).toEqual(DEFAULT_DENY_PATTERNS);
  });
});
