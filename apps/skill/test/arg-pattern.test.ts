import { describe, expect, it } from "vitest";
import { resolveRequestedScopes } from "@clawbridge/client";
import { OperatorScopes, scopeSatisfied } from "@clawbridge/protocol";
import { buildAllowlistEntry, buildArgPattern, verbsBeyondCeiling, verbsInUse } from "../src/arg-pattern.js";
import { ceilingCovers } from "../src/scope-ceiling.js";
import type { SkillRemote } from "../src/arg-pattern.js";
import { VERB_NAMES, VERBS } from "../src/verbs.js";

const gw2: SkillRemote = { id: "gw2", allowInvoke: ["canvas.snapshot", "camera.list"], allowCall: false };
const lab: SkillRemote = { id: "lab.eu-1", allowInvoke: [], allowCall: true };

/** What OpenClaw's node host does: `new RegExp(argPattern)` (no flags) over argv[1..] joined by single spaces. */
function allows(pattern: string, argv: readonly string[]): boolean {
  return new RegExp(pattern).test(argv.join(" "));
}

describe("exec-approvals argPattern", () => {
  const pattern = buildArgPattern([gw2, lab]);

  it.each([
    [["remotes"]],
    [["list_nodes", "gw2"]],
    [["list_nodes", "lab.eu-1", "--timeout", "5000"]],
    [["status", "gw2"]],
    [["health", "gw2"]],
    [["presence", "lab.eu-1"]],
    [["pending_pairings", "gw2"]],
    [["pending_approvals", "lab.eu-1"]],
    [["describe_node", "gw2", "3f9c0e1a"]],
    [["invoke", "gw2", "3f9c0e1a", "canvas.snapshot"]],
    [["invoke", "gw2", "n1", "camera.list", "--params", '{"facing": "front"}', "--timeout", "20000"]],
    [["call", "lab.eu-1", "sessions.list", "--params", "{}"]],
  ])("allows %j", (argv) => {
    expect(allows(pattern, argv)).toBe(true);
  });

  it.each([
    [["remotes", "gw2"]],
    [["list_nodes"]],
    [["list_nodes", "gw3"]],
    [["list_nodes", "gw2", "extra"]],
    [["list_nodes", "gw2", "--verbose"]],
    [["list_nodes", "labXeu-1"]],
    [["list_nodes", "gw2", "--timeout", "0"]],
    [["describe_node", "gw2", "--help"]],
    [["describe_node", "gw2"]],
    [["invoke", "gw2", "n1", "system.run"]],
    [["invoke", "gw2", "n1", "canvas.snapshotX"]],
    [["invoke", "gw2", "n1", "canvasXsnapshot"]],
    [["invoke", "lab.eu-1", "n1", "canvas.snapshot"]],
    [["invoke", "gw2", "--params", "{}", "n1", "canvas.snapshot"]],
    [["call", "gw2", "status"]],
    [["call", "lab.eu-1", "--params", "{}"]],
    [["list_nodes", "gw2", "&&", "cat", "/etc/passwd"]],
    [["list_nodes", "gw2\nlist_nodes", "gw3"]],
    [["help"]],
    [["--version"]],
  ])("denies %j", (argv) => {
    expect(allows(pattern, argv)).toBe(false);
  });

  it("is anchored at both ends and compiles with and without the u flag", () => {
    expect(pattern.startsWith("^(?:")).toBe(true);
    expect(pattern.endsWith(")$")).toBe(true);
    expect(() => new RegExp(pattern, "u")).not.toThrow();
    expect(new RegExp(pattern, "u").test("list_nodes gw2")).toBe(true);
  });

  it("offers invoke and call only when some profile enables them", () => {
    expect(verbsInUse([{ id: "gw2", allowInvoke: [], allowCall: false }])).toEqual(
      VERB_NAMES.filter((verb) => verb !== "invoke" && verb !== "call"),
    );
    expect(verbsInUse([gw2, lab])).toEqual([...VERB_NAMES]);
    const readOnly = buildArgPattern([{ id: "gw2", allowInvoke: [], allowCall: false }]);
    expect(readOnly).not.toContain("invoke");
    expect(readOnly).not.toContain("call");
  });

  it("allows only `remotes` without any remote", () => {
    expect(verbsInUse([])).toEqual(["remotes"]);
    const none = buildArgPattern([]);
    expect(allows(none, ["remotes"])).toBe(true);
    expect(allows(none, ["list_nodes", "gw2"])).toBe(false);
  });

  it("builds the entry from the bin's real path", () => {
    expect(buildAllowlistEntry("/opt/clawbridge/remote-gateway", [gw2])).toEqual({
      pattern: "/opt/clawbridge/remote-gateway",
      argPattern: buildArgPattern([gw2]),
    });
  });

  it("leaves out the read verbs a remote's scope ceiling cannot serve (pending_pairings needs operator.pairing)", () => {
    const narrow: SkillRemote = { id: "narrow", allowInvoke: [], allowCall: false, scopes: ["operator.read"] };
    const only = buildArgPattern([narrow]);
    expect(allows(only, ["list_nodes", "narrow"])).toBe(true);
    expect(allows(only, ["describe_node", "narrow", "n1"])).toBe(true);
    expect(allows(only, ["pending_pairings", "narrow"])).toBe(false);
    expect(verbsInUse([narrow])).not.toContain("pending_pairings");
    expect(allows(only, ["pending_approvals", "narrow"])).toBe(false);
    expect(verbsBeyondCeiling([narrow])).toEqual([
      { remote: "narrow", verb: "pending_pairings", missingScopes: ["operator.pairing"] },
      { remote: "narrow", verb: "pending_approvals", missingScopes: ["operator.approvals"] },
    ]);

    // Mixed: gw2 (no ceiling) keeps pending_pairings, narrow does not.
    const mixed = buildArgPattern([gw2, narrow]);
    expect(allows(mixed, ["pending_pairings", "gw2"])).toBe(true);
    expect(allows(mixed, ["pending_pairings", "narrow"])).toBe(false);
    expect(allows(mixed, ["status", "narrow", "--timeout", "500"])).toBe(true);
    expect(verbsInUse([gw2, narrow])).toContain("pending_pairings");

    // operator.write does not imply pairing; admin covers everything; no ceiling: no filtering.
    expect(verbsBeyondCeiling([{ ...narrow, scopes: ["operator.write"] }]).map((e) => e.verb)).toEqual(["pending_pairings", "pending_approvals"]);
    expect(verbsBeyondCeiling([{ ...narrow, scopes: ["operator.admin"] }])).toEqual([]);
    expect(verbsBeyondCeiling([{ ...narrow, scopes: ["operator.read", "operator.pairing"] }]).map((e) => e.verb)).toEqual(["pending_approvals"]);
    expect(verbsBeyondCeiling([{ ...narrow, scopes: ["operator.read", "operator.pairing", "operator.approvals"] }])).toEqual([]);
    expect(verbsBeyondCeiling([gw2])).toEqual([]);
    // A ceiling with no read scope serves no read verb, but `remotes` stays.
    const pairingOnly = { ...narrow, scopes: ["operator.pairing"] };
    expect(verbsInUse([pairingOnly])).toEqual(["pending_pairings", "remotes"]);
    expect(allows(buildArgPattern([pairingOnly]), ["describe_node", "narrow", "n1"])).toBe(false);
  });

  it("declares per verb exactly the scopes the client requests for its methods", () => {
    for (const verb of VERB_NAMES) {
      const spec = VERBS[verb];
      if (spec.policy !== "read") continue;
      expect([...spec.scopes].sort(), verb).toEqual(resolveRequestedScopes({ methods: spec.methods.map((method) => ({ method, params: {} })) }).sort());
    }
  });

  it("applies OpenClaw's scope implication rules exactly like @clawbridge/protocol", () => {
    const known = [...Object.values(OperatorScopes), "operator.sessions.read", "operator.sessions.write", "operator.unknown", "node"];
    const ceilings = [[], ...known.map((scope) => [scope]), ["operator.read", "operator.pairing"]];
    for (const ceiling of ceilings) {
      for (const scope of known) expect(ceilingCovers(ceiling, scope), `${ceiling.join(",")} ⊇ ${scope}`).toBe(scopeSatisfied(ceiling, scope));
    }
  });
});
