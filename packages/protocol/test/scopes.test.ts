import { readMissingScopeError } from "@openclaw/gateway-protocol/gateway-error-details";
import { describe, expect, it } from "vitest";
import {
  ErrorShape,
  METHOD_CATALOGUE,
  OperatorScopes,
  UNCLASSIFIED_METHOD_SCOPES,
  authorizeMethod,
  leastPrivilegeScopes,
  missingScopeError,
  requiredScopesFor,
  scopeSatisfied,
} from "../src/index.js";
import type { Principal } from "../src/index.js";

const S = OperatorScopes;
const ALL_SCOPES = Object.values(S);
const operator = (...scopes: string[]): Principal => ({ role: "operator", scopes });
const node: Principal = { role: "node", scopes: [] };

describe("scopeSatisfied (operatorScopeSatisfied, gateway-protocol §4.2)", () => {
  it("admin satisfies every operator scope", () => {
    for (const scope of ALL_SCOPES) expect(scopeSatisfied([S.ADMIN], scope), scope).toBe(true);
  });

  it("write covers read, talk and the session scopes", () => {
    for (const scope of [S.WRITE, S.READ, S.TALK, S.SESSIONS_READ, S.SESSIONS_WRITE]) {
      expect(scopeSatisfied([S.WRITE], scope), scope).toBe(true);
    }
  });

  it("write does NOT cover admin, approvals, pairing, questions or talk.secrets", () => {
    for (const scope of [S.ADMIN, S.APPROVALS, S.PAIRING, S.QUESTIONS, S.TALK_SECRETS]) {
      expect(scopeSatisfied([S.WRITE], scope), scope).toBe(false);
    }
  });

  it("read covers sessions.read only", () => {
    expect(scopeSatisfied([S.READ], S.SESSIONS_READ)).toBe(true);
    for (const scope of ALL_SCOPES.filter((s) => s !== S.READ && s !== S.SESSIONS_READ)) {
      expect(scopeSatisfied([S.READ], scope), scope).toBe(false);
    }
  });

  it("sessions.write covers sessions.read but not read or write", () => {
    expect(scopeSatisfied([S.SESSIONS_WRITE], S.SESSIONS_READ)).toBe(true);
    expect(scopeSatisfied([S.SESSIONS_WRITE], S.READ)).toBe(false);
    expect(scopeSatisfied([S.SESSIONS_WRITE], S.WRITE)).toBe(false);
  });

  it("talk does not imply talk.secrets, and no scope implies anything it is not granted", () => {
    expect(scopeSatisfied([S.TALK], S.TALK_SECRETS)).toBe(false);
    expect(scopeSatisfied([S.APPROVALS, S.PAIRING, S.QUESTIONS], S.READ)).toBe(false);
    expect(scopeSatisfied([], S.READ)).toBe(false);
  });

  it("a scope is satisfied when granted directly", () => {
    for (const scope of ALL_SCOPES) expect(scopeSatisfied([scope], scope), scope).toBe(true);
  });

  it("only operator.* scopes can be satisfied, even for admins", () => {
    expect(scopeSatisfied([S.ADMIN], "node.anything")).toBe(false);
    expect(scopeSatisfied(["node.x"], "node.x")).toBe(false);
  });
});

describe("requiredScopesFor / leastPrivilegeScopes", () => {
  it.each([
    ["status", undefined, [S.READ]],
    ["node.list", {}, [S.READ]],
    ["system-presence", undefined, [S.READ]],
    ["system-event", {}, [S.ADMIN]],
    ["set-heartbeats", { enabled: true }, [S.ADMIN]],
    ["node.pair.approve", { requestId: "r" }, [S.PAIRING]],
    ["exec.approval.resolve", {}, [S.APPROVALS]],
    ["question.resolve", {}, [S.QUESTIONS]],
    ["talk.speak", {}, [S.TALK]],
    ["chat.send", {}, [S.WRITE]],
    ["config.set", {}, [S.ADMIN]],
    // gateway-protocol §4.4 (2026.9.6) where it differs from the 2026.9.1 catalogue:
    ["users.self", {}, [S.READ]],
    ["sessions.github.publish", {}, [S.SESSIONS_WRITE]],
  ])("%s needs %j", (method, params, scopes) => {
    expect(requiredScopesFor(method, params)).toEqual({ role: "operator", scopes, known: true });
    expect(leastPrivilegeScopes(method, params)).toEqual(scopes);
  });

  describe("dynamic methods (gateway-protocol §4.3)", () => {
    it.each([
      // node.invoke: write, admin for the dangerous node commands; system.run is write in 2026.9.6
      ["node.invoke", { nodeId: "n", command: "system.run", idempotencyKey: "k" }, [S.WRITE]],
      ["node.invoke", { nodeId: "n", command: "system.which", idempotencyKey: "k" }, [S.WRITE]],
      ["node.invoke", { nodeId: "n", command: "browser.proxy", idempotencyKey: "k" }, [S.ADMIN]],
      ["node.invoke", { nodeId: "n", command: "browser.proxy.upload.v1", idempotencyKey: "k" }, [S.ADMIN]],
      ["node.invoke", { nodeId: "n", command: "fs.listDir", idempotencyKey: "k" }, [S.ADMIN]],
      ["node.invoke", { nodeId: "n", command: "terminal.upload", idempotencyKey: "k" }, [S.ADMIN]],
      ["node.invoke", undefined, [S.WRITE]],
      // agent: write; /new and /reset (case-insensitive, optional argument) need admin
      ["agent", { message: "hello", idempotencyKey: "k" }, [S.WRITE]],
      ["agent", { message: "/new", idempotencyKey: "k" }, [S.ADMIN]],
      ["agent", { message: "/RESET", idempotencyKey: "k" }, [S.ADMIN]],
      ["agent", { message: "/new fresh start", idempotencyKey: "k" }, [S.ADMIN]],
      ["agent", { message: "/reset\nnow", idempotencyKey: "k" }, [S.ADMIN]],
      ["agent", { message: "/newer", idempotencyKey: "k" }, [S.WRITE]],
      ["agent", { message: "please /new", idempotencyKey: "k" }, [S.WRITE]],
      ["agent", { message: 42, idempotencyKey: "k" }, [S.WRITE]],
      // talk.config: read, plus talk.secrets with includeSecrets:true
      ["talk.config", {}, [S.READ]],
      ["talk.config", { includeSecrets: false }, [S.READ]],
      ["talk.config", { includeSecrets: true }, [S.READ, S.TALK_SECRETS]],
      // environments.list: read, write with runtimeId (dynamic in 2026.9.6, plain read in the 2026.9.1 catalogue)
      ["environments.list", {}, [S.READ]],
      ["environments.list", { runtimeId: "rt-1" }, [S.WRITE]],
      // fs.listDir: write, admin with nodeId
      ["fs.listDir", { path: "/" }, [S.WRITE]],
      ["fs.listDir", { path: "/", nodeId: "n" }, [S.ADMIN]],
      // channels.pairing.approve: pairing, plus admin for bootstrapCommandOwner
      ["channels.pairing.approve", { code: "c" }, [S.PAIRING]],
      ["channels.pairing.approve", { code: "c", bootstrapCommandOwner: true }, [S.PAIRING, S.ADMIN]],
      // sessions.patch: write for the listed keys, admin otherwise
      ["sessions.patch", { key: "k", label: "x", pinned: true, permissionMode: "ask" }, [S.WRITE]],
      ["sessions.patch", { key: "k", expectedSessionId: "s", archived: true }, [S.WRITE]],
      ["sessions.patch", { key: "k", permissionMode: "full" }, [S.ADMIN]],
      ["sessions.patch", { key: "k", sandboxMode: "off" }, [S.ADMIN]],
      ["sessions.patch", { key: "k", execNode: "n" }, [S.ADMIN]],
      // sessions.patchMany: the same rule on params.patch (mutations only)
      ["sessions.patchMany", { keys: ["a", "b"], patch: { pinned: true } }, [S.WRITE]],
      ["sessions.patchMany", { keys: ["a"], patch: { permissionMode: "full" } }, [S.ADMIN]],
      ["sessions.patchMany", { keys: ["a"], patch: { sandboxMode: "off" } }, [S.ADMIN]],
      ["sessions.patchMany", { keys: ["a"], patch: { label: "x", toolOverrides: {} } }, [S.ADMIN]],
      ["sessions.patchMany", { keys: ["a"], patch: { key: "other" } }, [S.ADMIN]],
      // sessions.create: write; admin for incognito, incognito keys, execNode, toolOverrides, full permissions
      ["sessions.create", { agentId: "main", label: "x" }, [S.WRITE]],
      ["sessions.create", { incognito: false }, [S.WRITE]],
      ["sessions.create", { incognito: true }, [S.ADMIN]],
      ["sessions.create", { key: "agent:main:dashboard:incognito-abc" }, [S.ADMIN]],
      ["sessions.create", { key: " Agent:Main:Subagent:Incognito-X " }, [S.ADMIN]],
      ["sessions.create", { parentSessionKey: "agent:main:subagent:incognito-1" }, [S.ADMIN]],
      ["sessions.create", { key: "agent:main:dashboard:regular" }, [S.WRITE]],
      ["sessions.create", { execNode: "n" }, [S.ADMIN]],
      ["sessions.create", { toolOverrides: {} }, [S.ADMIN]],
      ["sessions.create", { permissionMode: "full" }, [S.ADMIN]],
      // sessions.delete: admin unless archivedOnly:true with only the listed keys
      ["sessions.delete", { key: "k" }, [S.ADMIN]],
      ["sessions.delete", { key: "k", archivedOnly: true }, [S.WRITE]],
      ["sessions.delete", { key: "k", agentId: "a", deleteTranscript: true, expectedSessionId: "s", archivedOnly: true }, [S.WRITE]],
      ["sessions.delete", { key: "k", archivedOnly: false }, [S.ADMIN]],
      ["sessions.delete", { key: "k", archivedOnly: true, force: true }, [S.ADMIN]],
      ["sessions.delete", undefined, [S.ADMIN]],
      // sessions.dispatch: admin unless deviceId/autoDevice
      ["sessions.dispatch", { key: "k" }, [S.ADMIN]],
      ["sessions.dispatch", { key: "k", deviceId: "d" }, [S.WRITE]],
      ["sessions.dispatch", { key: "k", autoDevice: true }, [S.WRITE]],
      // sessions.move: write; admin to a profile target
      ["sessions.move", { key: "k", target: { kind: "project", id: "p" } }, [S.WRITE]],
      ["sessions.move", { key: "k", target: { kind: "profile", id: "p" } }, [S.ADMIN]],
      // plugins.sessionAction: the action's own requirement, write by default
      ["plugins.sessionAction", { action: "x" }, [S.WRITE]],
    ])("%s %j needs %j", (method, params, scopes) => {
      expect(requiredScopesFor(method, params)).toEqual({ role: "operator", scopes, known: true });
      expect(leastPrivilegeScopes(method, params)).toEqual(scopes);
    });

    it("non-object params are treated as empty (no crash, no accidental write)", () => {
      expect(requiredScopesFor("sessions.delete", ["archivedOnly"]).scopes).toEqual([S.ADMIN]);
      expect(requiredScopesFor("node.invoke", "browser.proxy").scopes).toEqual([S.WRITE]);
      expect(requiredScopesFor("sessions.patchMany", { patch: "full" }).scopes).toEqual([S.WRITE]);
      // Inherited keys do not count as params.
      expect(requiredScopesFor("sessions.create", Object.create({ execNode: "n" }) as object).scopes).toEqual([S.WRITE]);
    });
  });

  it("node-role methods need the node role and no scopes", () => {
    for (const method of ["node.invoke.result", "node.event", "skills.bins", "node.pending.pull"]) {
      expect(requiredScopesFor(method)).toEqual({ role: "node", scopes: [], known: true });
    }
  });

  it("health is callable by any role; a client asks for operator.read", () => {
    expect(requiredScopesFor("health")).toEqual({ role: "any", scopes: [], known: true });
    expect(leastPrivilegeScopes("health")).toEqual([S.READ]);
  });

  it("unknown methods need admin; a client asks for the unclassified set", () => {
    expect(requiredScopesFor("myplugin.doThing", {})).toEqual({ role: "operator", scopes: [S.ADMIN], known: false });
    expect(leastPrivilegeScopes("myplugin.doThing")).toEqual([...UNCLASSIFIED_METHOD_SCOPES]);
    expect(UNCLASSIFIED_METHOD_SCOPES).toContain(S.ADMIN);
    expect(UNCLASSIFIED_METHOD_SCOPES).not.toContain(S.SESSIONS_READ);
    expect(UNCLASSIFIED_METHOD_SCOPES).not.toContain(S.SESSIONS_WRITE);
  });

  it("every catalogue method's least-privilege scopes are real operator scopes (or none for node methods)", () => {
    for (const method of Object.keys(METHOD_CATALOGUE)) {
      const req = requiredScopesFor(method, {});
      expect(req.known, method).toBe(true);
      for (const scope of req.scopes) expect(ALL_SCOPES, `${method} → ${scope}`).toContain(scope);
      if (req.role === "node") expect(req.scopes, method).toEqual([]);
      else if (req.role === "operator") expect(req.scopes.length, method).toBeGreaterThan(0);
    }
  });
});

describe("authorizeMethod (authorizeGatewayMethod)", () => {
  it("answers a missing scope with exactly the observed wire error", () => {
    const error = authorizeMethod(operator(S.READ), "chat.send", { sessionKey: "k", message: "hi", idempotencyKey: "i" });
    expect(JSON.stringify(error)).toBe(
      '{"code":"FORBIDDEN","message":"missing scope: operator.write","details":{"code":"MISSING_SCOPE","missingScope":"operator.write","requiredScopes":["operator.write"]}}',
    );
    expect(ErrorShape.parse(error)).toEqual(error);
    expect(readMissingScopeError(error)).toEqual({
      code: "MISSING_SCOPE",
      missingScope: "operator.write",
      requiredScopes: ["operator.write"],
    });
  });

  it("missingScopeError copies the required list", () => {
    const required: string[] = [S.READ, S.TALK_SECRETS];
    const error = missingScopeError(S.TALK_SECRETS, required);
    required.push(S.ADMIN);
    expect(error.details).toEqual({ code: "MISSING_SCOPE", missingScope: S.TALK_SECRETS, requiredScopes: [S.READ, S.TALK_SECRETS] });
  });

  it("reports the first unsatisfied scope of a multi-scope requirement", () => {
    expect(authorizeMethod(operator(S.READ), "talk.config", { includeSecrets: true })).toEqual(
      missingScopeError(S.TALK_SECRETS, [S.READ, S.TALK_SECRETS]),
    );
    expect(authorizeMethod(operator(S.TALK_SECRETS), "talk.config", { includeSecrets: true })).toEqual(
      missingScopeError(S.READ, [S.READ, S.TALK_SECRETS]),
    );
    expect(authorizeMethod(operator(S.WRITE, S.TALK_SECRETS), "talk.config", { includeSecrets: true })).toBeUndefined();
    expect(authorizeMethod(operator(S.PAIRING), "channels.pairing.approve", { bootstrapCommandOwner: true })).toEqual(
      missingScopeError(S.ADMIN, [S.PAIRING, S.ADMIN]),
    );
  });

  it("applies the implication rules", () => {
    expect(authorizeMethod(operator(S.WRITE), "node.list", {})).toBeUndefined();
    expect(authorizeMethod(operator(S.WRITE), "talk.speak", {})).toBeUndefined();
    expect(authorizeMethod(operator(S.WRITE), "node.pair.approve", { requestId: "r" })).toEqual(
      missingScopeError(S.PAIRING, [S.PAIRING]),
    );
    expect(authorizeMethod(operator(S.WRITE), "exec.approval.resolve", {})).toEqual(
      missingScopeError(S.APPROVALS, [S.APPROVALS]),
    );
    expect(authorizeMethod(operator(S.WRITE), "question.resolve", {})).toEqual(missingScopeError(S.QUESTIONS, [S.QUESTIONS]));
    expect(authorizeMethod(operator(S.READ), "status")).toBeUndefined();
    expect(authorizeMethod(operator(), "status")).toEqual(missingScopeError(S.READ, [S.READ]));
  });

  it("uses the params of dynamic methods", () => {
    const invoke = (command: string) => ({ nodeId: "n", command, idempotencyKey: "k" });
    expect(authorizeMethod(operator(S.WRITE), "node.invoke", invoke("system.run"))).toBeUndefined();
    expect(authorizeMethod(operator(S.WRITE), "node.invoke", invoke("browser.proxy"))).toEqual(
      missingScopeError(S.ADMIN, [S.ADMIN]),
    );
    expect(authorizeMethod(operator(S.ADMIN), "node.invoke", invoke("browser.proxy"))).toBeUndefined();
    expect(authorizeMethod(operator(S.WRITE), "agent", { message: "/new" })).toEqual(missingScopeError(S.ADMIN, [S.ADMIN]));
    expect(authorizeMethod(operator(S.WRITE), "sessions.delete", { key: "k", archivedOnly: true })).toBeUndefined();
    expect(authorizeMethod(operator(S.WRITE), "sessions.delete", { key: "k" })).toEqual(missingScopeError(S.ADMIN, [S.ADMIN]));
    expect(authorizeMethod(operator(S.READ), "environments.list", { runtimeId: "r" })).toEqual(
      missingScopeError(S.WRITE, [S.WRITE]),
    );
  });

  it("unknown methods: FORBIDDEN for non-admins, allowed for admins (the router then says unknown method)", () => {
    expect(authorizeMethod(operator(S.READ, S.WRITE, S.APPROVALS, S.PAIRING), "foo.bar", {})).toEqual(
      missingScopeError(S.ADMIN, [S.ADMIN]),
    );
    expect(authorizeMethod(operator(S.ADMIN), "foo.bar", {})).toBeUndefined();
  });

  it("role gate: a node calling an operator method gets `unauthorized role: node`", () => {
    expect(authorizeMethod(node, "node.list", {})).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
    expect(authorizeMethod(node, "foo.bar", {})).toEqual({ code: "INVALID_REQUEST", message: "unauthorized role: node" });
  });

  it("role gate: an operator (even admin) calling a node method gets `unauthorized role: operator`", () => {
    for (const principal of [operator(S.ADMIN), operator(...ALL_SCOPES)]) {
      expect(authorizeMethod(principal, "node.invoke.result", { id: "i", nodeId: "n", ok: true })).toEqual({
        code: "INVALID_REQUEST",
        message: "unauthorized role: operator",
      });
    }
  });

  it("role gate: other roles are refused by name", () => {
    expect(authorizeMethod({ role: "worker", scopes: [S.ADMIN] }, "status")).toEqual({
      code: "INVALID_REQUEST",
      message: "unauthorized role: worker",
    });
  });

  it("node sockets are never scope-checked beyond the role gate", () => {
    expect(authorizeMethod(node, "node.invoke.result", { id: "i", nodeId: "n", ok: true })).toBeUndefined();
    expect(authorizeMethod(node, "node.event", {})).toBeUndefined();
  });

  it("health is exempt from role and scope checks", () => {
    expect(authorizeMethod(operator(), "health")).toBeUndefined();
    expect(authorizeMethod(node, "health")).toBeUndefined();
    expect(authorizeMethod({ role: "worker", scopes: [] }, "health")).toBeUndefined();
  });

  it("scope-upgrade methods pass without scopes (a device asks for more)", () => {
    expect(authorizeMethod(operator(), "device.scopes.requestUpgrade", {})).toBeUndefined();
    expect(authorizeMethod(operator(), "device.scopes.waitUpgrade", {})).toBeUndefined();
    expect(authorizeMethod(node, "device.scopes.requestUpgrade", {})).toEqual({
      code: "INVALID_REQUEST",
      message: "unauthorized role: node",
    });
  });

  it("admin passes every operator method of the catalogue", () => {
    for (const [method, entry] of Object.entries(METHOD_CATALOGUE)) {
      if (entry.scope === "node") continue;
      expect(authorizeMethod(operator(S.ADMIN), method, {}), method).toBeUndefined();
    }
  });

  it("least-privilege scopes are always enough for the call they were computed for", () => {
    const calls: [string, unknown][] = [
      ...Object.keys(METHOD_CATALOGUE).map((m): [string, unknown] => [m, {}]),
      ["talk.config", { includeSecrets: true }],
      ["channels.pairing.approve", { bootstrapCommandOwner: true }],
      ["node.invoke", { command: "fs.listDir" }],
      ["foo.bar", {}],
    ];
    for (const [method, params] of calls) {
      const req = requiredScopesFor(method, params);
      if (req.role === "node") continue;
      expect(authorizeMethod(operator(...leastPrivilegeScopes(method, params)), method, params), method).toBeUndefined();
    }
  });
});
