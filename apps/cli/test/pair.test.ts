import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli, runningCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

describe("gateway pair", () => {
  // A remote gateway's behaviour: no silent approval, even from loopback.
  const fx = useMockGatewayFixture({ gateway: { autoApproveLocal: false } });

  beforeAll(async () => {
    const add = await runCli(["remote", "add", "gw2", ...fx.target(), "--scopes", "operator.read,operator.write"], { env: fx.env });
    expect(add.code).toBe(0);
  });

  it("creates an identity, prints the request and approval command, waits, and stores the device token", async () => {
    const cli = runningCli(["gateway", "pair", "--remote", "gw2", "--poll-interval", "300"], { env: fx.env });
    const approveLine = await cli.waitForLine((line) => line.startsWith("Approve it on the gateway host: "));
    const requestId = /openclaw devices approve (\S+)$/.exec(approveLine)?.[1];
    expect(requestId).toBeDefined();
    expect(cli.lines).toContain(`Pairing request: ${requestId}`);
    expect(cli.lines[0]).toMatch(/^Device identity: [0-9a-f]{64} \(created, /);
    const pending = fx.gateway.pendingDevicePairings();
    expect(pending.map((request) => request.requestId)).toContain(requestId);
    expect(pending[0]).toMatchObject({ role: "operator", scopes: ["operator.read", "operator.write"] });
    await cli.waitForStderr("waiting for approval");

    expect(fx.gateway.approveDevicePairing(requestId)).toBe(1);
    const result = await cli.exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Paired with ws:\/\/127\.0\.0\.1:\d+: role operator, scopes operator\.read, operator\.write; device token stored\./);

    const slot = join(fx.dir, "devices", "remote-gw2");
    expect((await stat(join(slot, "device-tokens.json"))).mode & 0o777).toBe(0o600);
    const tokens = await readFile(join(slot, "device-tokens.json"), "utf8");
    expect(result.stdout).not.toContain(JSON.parse(tokens).tokens.operator.token as string);
  });

  it("then calls work with the stored device token alone (no shared secret in the profile)", async () => {
    const replace = await runCli(["remote", "add", "gw2", "--url", fx.gateway.url, "--device", "always", "--replace"], { env: fx.env });
    expect(replace.code).toBe(0);
    const result = await runCli(["gateway", "call", "node.list", "--remote", "gw2", "--json"], { env: fx.env });
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toMatchObject({ nodes: [] });
  });

  it("an already paired device is reported at once (--json: one document; default scopes: the ceiling, else operator.read)", async () => {
    const result = await runCli(["gateway", "pair", "--remote", "gw2", "--json"], { env: fx.env });
    expect(result.code).toBe(0);
    expect(singleJson(result.stdout)).toMatchObject({
      ok: true,
      remote: "gw2",
      identityCreated: false,
      requestId: null,
      role: "operator",
      scopes: ["operator.read"],
      deviceTokenStored: true,
    });
  });

  it("gives up after --wait with exit 5 when nobody approves; the request stays pending", async () => {
    expect((await runCli(["remote", "add", "gw4", ...fx.target()], { env: fx.env })).code).toBe(0);
    const result = await runCli(["gateway", "pair", "--remote", "gw4", "--wait", "1500", "--poll-interval", "200", "--json"], { env: fx.env });
    expect(result.code).toBe(5);
    const envelope = singleJson(result.stdout) as { error: { code: string; details: { requestId: string } } };
    expect(envelope.error.code).toBe("PAIRING_TIMEOUT");
    expect(fx.gateway.pendingDevicePairings().map((request) => request.requestId)).toContain(envelope.error.details.requestId);
    expect(result.stderr).toContain("openclaw devices approve");
  });

  it("a call from an unpaired device exits 4 with the approval command as the hint", async () => {
    expect((await runCli(["remote", "add", "gw3", ...fx.target(), "--device", "always"], { env: fx.env })).code).toBe(0);
    const result = await runCli(["gateway", "call", "health", "--remote", "gw3"], { env: fx.env });
    expect(result.code).toBe(4);
    const [line, hint] = result.stderr.trim().split("\n");
    expect(line).toMatch(/^Gateway call failed: gateway rejected connect: .*openclaw devices approve \S+/);
    expect(hint).toContain("clawbridge gateway pair --remote gw3");
    const json = await runCli(["gateway", "call", "health", "--remote", "gw3", "--json"], { env: fx.env });
    expect(json.code).toBe(4);
    expect(singleJson(json.stdout)).toMatchObject({ error: { type: "gateway_request_error", code: "NOT_PAIRED", phase: "connect", details: { code: "PAIRING_REQUIRED" } } });
  });
});
