import { ErrorCodes, GatewayErrorDetailCodes } from "./error-codes.js";
import type { ErrorShape } from "./frames.js";
import { METHOD_CATALOGUE } from "./method-catalogue.generated.js";

/** Operator scopes (gateway-protocol §4.2). */
export const OperatorScopes = {
  ADMIN: "operator.admin",
  READ: "operator.read",
  WRITE: "operator.write",
  APPROVALS: "operator.approvals",
  QUESTIONS: "operator.questions",
  PAIRING: "operator.pairing",
  TALK: "operator.talk",
  TALK_SECRETS: "operator.talk.secrets",
  SESSIONS_READ: "operator.sessions.read",
  SESSIONS_WRITE: "operator.sessions.write",
} as const;
export type OperatorScope = (typeof OperatorScopes)[keyof typeof OperatorScopes];

const S = OperatorScopes;

/**
 * What OpenClaw's CLI requests for a method it cannot classify (plugin or unknown
 * methods): everything but the internal session scopes.
 */
export const UNCLASSIFIED_METHOD_SCOPES: readonly string[] = [
  S.ADMIN,
  S.READ,
  S.WRITE,
  S.APPROVALS,
  S.QUESTIONS,
  S.PAIRING,
  S.TALK_SECRETS,
];

/**
 * `operatorScopeSatisfied`: `operator.admin` satisfies everything; `operator.write`
 * also covers read, talk and the session scopes; `operator.read` covers
 * `operator.sessions.read`. Write does NOT imply approvals, pairing, questions or
 * talk.secrets.
 */
export function scopeSatisfied(granted: readonly string[], required: string): boolean {
  if (!required.startsWith("operator.")) return false;
  if (granted.includes(required) || granted.includes(S.ADMIN)) return true;
  const viaWrite: readonly string[] = [S.READ, S.TALK, S.SESSIONS_READ, S.SESSIONS_WRITE];
  if (viaWrite.includes(required) && granted.includes(S.WRITE)) return true;
  return required === S.SESSIONS_READ && (granted.includes(S.READ) || granted.includes(S.SESSIONS_WRITE));
}

/** A method's scope class in the official catalogue, or `undefined` if the method is unknown. */
export function catalogueScopeOf(method: string): string | undefined {
  return Object.hasOwn(METHOD_CATALOGUE, method)
    ? METHOD_CATALOGUE[method as keyof typeof METHOD_CATALOGUE].scope
    : undefined;
}

function asRecord(params: unknown): Record<string, unknown> {
  return params !== null && typeof params === "object" && !Array.isArray(params)
    ? (params as Record<string, unknown>)
    : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Methods whose requirement depends on params (gateway-protocol §4.3). They are
 * classified by name, not by the pinned catalogue: `environments.list` is
 * `operator.read` in the 2026.9.1 contract but dynamic in 2026.9.6.
 */
export const DYNAMIC_SCOPE_METHODS: ReadonlySet<string> = new Set([
  "agent",
  "channels.pairing.approve",
  "environments.list",
  "fs.listDir",
  "node.invoke",
  "plugins.sessionAction",
  "sessions.create",
  "sessions.delete",
  "sessions.dispatch",
  "sessions.move",
  "sessions.patch",
  "sessions.patchMany",
  "talk.config",
]);

/**
 * Where OpenClaw 2026.9.6 (the running truth, gateway-protocol §4.4) classifies a
 * method differently from the pinned 2026.9.1 contract the catalogue is generated
 * from. Drop an entry once a contract bump makes the catalogue agree (a test says so).
 */
export const SCOPE_OVERRIDES_2026_9_6: Readonly<Record<string, OperatorScope>> = {
  "users.self": S.READ,
  "sessions.github.publish": S.SESSIONS_WRITE,
};

const ADMIN_NODE_COMMANDS = new Set(["browser.proxy", "browser.proxy.upload.v1", "fs.listDir", "terminal.upload"]);
/** `sessions.patch` mutations a writer may make (`SESSIONS_PATCH_WRITE_SCOPE_MUTATIONS`). */
const SESSIONS_PATCH_WRITE_MUTATIONS = new Set([
  "label", "autoLabel", "icon", "color", "category", "boardFace", "boardPresentation", "pinned",
  "archived", "unread", "model", "agentRuntime", "thinkingLevel", "fastMode", "permissionMode",
]);
/** Addressing fields of `sessions.patch` itself (not of `sessions.patchMany`'s `patch`). */
const SESSIONS_PATCH_ENVELOPE_FIELDS = new Set([
  "key", "agentId", "expectedSessionId", "expectedLifecycleRevision", "expectedPermissionMode",
  "expectedMarkedUnreadAt",
]);
const SESSIONS_DELETE_WRITE_KEYS = new Set(["key", "agentId", "deleteTranscript", "expectedSessionId", "archivedOnly"]);
const INCOGNITO_SESSION_KEY = /^agent:[^:]+:(?:dashboard|subagent|internal-session-effects):incognito-[^:]+$/u;

/** `isIncognitoSessionKey`: process-only session keys, whose creation needs admin. */
function isIncognitoSessionKey(value: unknown): boolean {
  return typeof value === "string" && INCOGNITO_SESSION_KEY.test(value.trim().toLowerCase());
}

function sessionsPatchNeedsAdmin(patch: Record<string, unknown>, allowEnvelope: boolean): boolean {
  if (patch["permissionMode"] === "full" || Object.hasOwn(patch, "sandboxMode")) return true;
  return Object.keys(patch).some(
    (key) => !SESSIONS_PATCH_WRITE_MUTATIONS.has(key) && !(allowEnvelope && SESSIONS_PATCH_ENVELOPE_FIELDS.has(key)),
  );
}

function sessionsCreateNeedsAdmin(params: Record<string, unknown>): boolean {
  return (
    params["incognito"] === true ||
    isIncognitoSessionKey(params["key"]) ||
    isIncognitoSessionKey(params["parentSessionKey"]) ||
    Object.hasOwn(params, "execNode") ||
    Object.hasOwn(params, "toolOverrides") ||
    params["permissionMode"] === "full"
  );
}

/** Scopes of the methods whose requirement depends on params (gateway-protocol §4.3). */
function dynamicScopes(method: string, params: Record<string, unknown>): string[] {
  switch (method) {
    case "agent":
      // `/new` and `/reset` start a fresh session: admin only.
      return typeof params["message"] === "string" && /^\/(new|reset)(\s|$)/i.test(params["message"].trim())
        ? [S.ADMIN]
        : [S.WRITE];
    case "node.invoke":
      return ADMIN_NODE_COMMANDS.has(String(params["command"])) ? [S.ADMIN] : [S.WRITE];
    case "talk.config":
      return params["includeSecrets"] === true ? [S.READ, S.TALK_SECRETS] : [S.READ];
    case "environments.list":
      return params["runtimeId"] !== undefined ? [S.WRITE] : [S.READ];
    case "fs.listDir":
      return params["nodeId"] !== undefined ? [S.ADMIN] : [S.WRITE];
    case "channels.pairing.approve":
      return params["bootstrapCommandOwner"] === true ? [S.PAIRING, S.ADMIN] : [S.PAIRING];
    case "sessions.patch":
      return sessionsPatchNeedsAdmin(params, true) ? [S.ADMIN] : [S.WRITE];
    case "sessions.patchMany": {
      const patch = params["patch"];
      return isRecord(patch) && sessionsPatchNeedsAdmin(patch, false) ? [S.ADMIN] : [S.WRITE];
    }
    case "sessions.create":
      return sessionsCreateNeedsAdmin(params) ? [S.ADMIN] : [S.WRITE];
    case "sessions.delete":
      return params["archivedOnly"] === true && Object.keys(params).every((k) => SESSIONS_DELETE_WRITE_KEYS.has(k))
        ? [S.WRITE]
        : [S.ADMIN];
    case "sessions.dispatch":
      return params["deviceId"] !== undefined || params["autoDevice"] !== undefined ? [S.WRITE] : [S.ADMIN];
    case "sessions.move":
      return asRecord(params["target"])["kind"] === "profile" ? [S.ADMIN] : [S.WRITE];
    case "plugins.sessionAction":
      // The registered action's own requirement, which only the gateway knows; write by default.
      return [S.WRITE];
    default:
      // A method the contract calls dynamic but we have no rule for: fail closed.
      return [S.ADMIN];
  }
}

/** What a method needs: the role that may call it and the operator scopes (all required). */
export interface MethodRequirement {
  /** `"operator"`, `"node"`, or `"any"` (only `health`). */
  role: "operator" | "node" | "any";
  /** Operator scopes that must all be satisfied; empty for node methods and `health`. */
  scopes: string[];
  /** `false` when the method is not in the catalogue (then it needs `operator.admin`). */
  known: boolean;
}

/**
 * The requirement of `method` called with `params`: dynamic rules (§4.3), the
 * 2026.9.6 overrides, then the catalogue scope; `health` is callable by any
 * authenticated socket; unknown methods need `operator.admin`.
 */
export function requiredScopesFor(method: string, params?: unknown): MethodRequirement {
  if (method === "health") return { role: "any", scopes: [], known: true };
  if (DYNAMIC_SCOPE_METHODS.has(method)) {
    return { role: "operator", scopes: dynamicScopes(method, asRecord(params)), known: true };
  }
  const scope = Object.hasOwn(SCOPE_OVERRIDES_2026_9_6, method)
    ? SCOPE_OVERRIDES_2026_9_6[method]
    : catalogueScopeOf(method);
  if (scope === undefined) return { role: "operator", scopes: [S.ADMIN], known: false };
  if (scope === "node") return { role: "node", scopes: [], known: true };
  if (scope === "dynamic") return { role: "operator", scopes: dynamicScopes(method, asRecord(params)), known: true };
  return { role: "operator", scopes: [scope], known: true };
}

/**
 * Least-privilege scopes a client should request to call `method` (what OpenClaw's
 * CLI does): the method's exact requirement, or the unclassified set for methods
 * the catalogue does not know.
 */
export function leastPrivilegeScopes(method: string, params?: unknown): string[] {
  const req = requiredScopesFor(method, params);
  if (!req.known) return [...UNCLASSIFIED_METHOD_SCOPES];
  if (req.role === "any") return [S.READ];
  return req.scopes;
}

/** The authenticated principal of a socket. */
export interface Principal {
  role: string;
  scopes: readonly string[];
}

/** `FORBIDDEN missing scope: X` with structured `MISSING_SCOPE` details. */
export function missingScopeError(missingScope: string, requiredScopes: readonly string[]): ErrorShape {
  return {
    code: ErrorCodes.FORBIDDEN,
    message: `missing scope: ${missingScope}`,
    details: { code: GatewayErrorDetailCodes.MISSING_SCOPE, missingScope, requiredScopes: [...requiredScopes] },
  };
}

/**
 * The gateway's `authorizeGatewayMethod`: `health` always; role gate (`unauthorized
 * role: X`); node sockets pass; scope-upgrade methods pass; admin passes; otherwise
 * every required scope must be satisfied. Returns the error to answer with, or
 * `undefined` when allowed. Unknown methods need admin, so an admin then gets
 * `unknown method: X` from the router.
 */
export function authorizeMethod(principal: Principal, method: string, params?: unknown): ErrorShape | undefined {
  const req = requiredScopesFor(method, params);
  if (req.role === "any") return undefined;
  if (req.role !== principal.role) {
    return { code: ErrorCodes.INVALID_REQUEST, message: `unauthorized role: ${principal.role}` };
  }
  if (principal.role === "node") return undefined;
  if (method === "device.scopes.requestUpgrade" || method === "device.scopes.waitUpgrade") return undefined;
  if (principal.scopes.includes(S.ADMIN)) return undefined;
  const missing = req.scopes.find((scope) => !scopeSatisfied(principal.scopes, scope));
  return missing === undefined ? undefined : missingScopeError(missing, req.scopes);
}
