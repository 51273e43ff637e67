import { readFileSync, readdirSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/index.js";

const srcDir = join(import.meta.dirname, "..", "src");
const sources = readdirSync(srcDir)
  .filter((name) => name.endsWith(".ts"))
  .map((name) => ({ name, text: readFileSync(join(srcDir, name), "utf8") }));

/** Module specifiers of static imports/exports and dynamic imports. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:import|export)\s[^;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm)) {
    const spec = match[1] ?? match[2] ?? match[3];
    if (spec !== undefined) found.push(spec);
  }
  return found;
}

describe("package hygiene", () => {
  it("src imports only zod and its own modules (no Node built-ins, no I/O)", () => {
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    expect(sources.length).toBeGreaterThan(10);
    for (const { name, text } of sources) {
      for (const spec of specifiers(text)) {
        expect(builtins.has(spec) || spec.startsWith("node:"), `${name} imports ${spec}`).toBe(false);
        expect(spec === "zod" || /^\.\/[a-z0-9-.]+\.js$/.test(spec), `${name} imports ${spec}`).toBe(true);
      }
      // Node globals (the build also compiles with `types: []`, so they would not type-check).
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      expect(code, name).not.toMatch(/\b(process|Buffer|require|__dirname)\s*[.(]/);
    }
  });

  it("the import scanner finds what it should (so the check above can fail)", () => {
    expect(specifiers('import { readFileSync } from "node:fs";\nexport { x } from "./x.js";\nconst m = import("os");')).toEqual([
      "node:fs",
      "./x.js",
      "os",
    ]);
  });

  it("no `export *` in src", () => {
    for (const { name, text } of sources) expect(text, name).not.toMatch(/export\s*\*/);
  });

  it("keeps the public export names other packages code against", () => {
    const names = Object.keys(api);
    for (const name of [
      "GatewayFrame", "RequestFrame", "ResponseFrame", "EventFrame", "ErrorShape", "StateVersion", "FRAME_TYPES",
      "ConnectParams", "ClientInfo", "ConnectAuth", "DeviceProof", "HelloOk", "HelloAuth", "HelloPolicy", "HelloFeatures",
      "Snapshot", "PresenceEntry", "HealthSnapshot", "IssuedDeviceToken", "AUTH_METHODS",
      "ConnectChallengePayload", "TickPayload", "ShutdownPayload", "NodeInvokeRequestPayload", "GatewayEvents",
      "CloseCodes", "truncateCloseReason", "ErrorCodes", "ConnectErrorDetailCodes", "GatewayErrorDetailCodes",
      "AuthNextSteps", "RECONNECT_PAUSE_DETAIL_CODES", "GATEWAY_CLIENT_IDS", "GATEWAY_CLIENT_MODES",
      "GATEWAY_CLIENT_CAPS", "Roles", "platformIdentity", "defineMethod", "Methods", "TYPED_METHODS", "NodeEntry",
      "NodeInvokeResult", "SystemRunResult", "METHOD_CATALOGUE", "METHOD_CATALOGUE_SOURCE", "OperatorScopes",
      "UNCLASSIFIED_METHOD_SCOPES", "authorizeMethod", "catalogueScopeOf", "leastPrivilegeScopes",
      "missingScopeError", "requiredScopesFor", "scopeSatisfied", "buildDeviceAuthPayloadV2",
      "buildDeviceAuthPayloadV3", "normalizeDeviceMetadata", "signatureTokenOf", "PROTOCOL_VERSION",
      "MIN_CLIENT_PROTOCOL_VERSION", "MIN_NODE_PROTOCOL_VERSION", "MIN_PROBE_PROTOCOL_VERSION", "isProtocolAccepted",
      "MAX_PAYLOAD_BYTES", "MAX_PREAUTH_PAYLOAD_BYTES", "MAX_BUFFERED_BYTES", "TICK_INTERVAL_MS",
    ]) {
      expect(names, name).toContain(name);
    }
  });
});
