import { describe, expect, it } from "vitest";
import { runCli, singleJson } from "./helpers/cli.js";
import { AMBIENT_TOKEN, GW_TOKEN, useMockGatewayFixture } from "./helpers/gateway.js";

const AMBIENT_PASSWORD = "ambient-gw1-password-0b9e";

/**
 * On a worker node, OPENCLAW_GATEWAY_TOKEN is the secret of the node's *own* gateway
 * (GW1). A bridge call to GW2 must never send it (spec: skills-approvals-relay §7).
 */
describe("--url and --remote never pick up ambient credentials", () => {
  const fx = useMockGatewayFixture({
    env: { GW2_TOKEN: GW_TOKEN, OPENCLAW_GATEWAY_TOKEN: AMBIENT_TOKEN, OPENCLAW_GATEWAY_PASSWORD: AMBIENT_PASSWORD },
    proxy: true,
  });
  const call = (args: string[]) => runCli(["gateway", "call", "health", "--json", ...args], { env: fx.env });

  it("--url without credentials fails before connecting (exit 2), although OPENCLAW_GATEWAY_TOKEN is set", async () => {
    const result = await call(["--url", fx.proxy.url]);
    expect(result.code).toBe(2);
    const envelope = singleJson(result.stdout) as { error: { type: string; message: string } };
    expect(envelope.error.type).toBe("gateway_credentials_required");
    expect(envelope.error.message).toContain("--url never uses ambient credentials");
    expect(fx.proxy.tcpConnections()).toBe(0);
    expect(fx.proxy.clientFrames()).toEqual([]);
  });

  it("--url with explicit credentials sends only those: the ambient secrets appear in no frame", async () => {
    const result = await call(["--url", fx.proxy.url, "--token-env", "GW2_TOKEN"]);
    expect(result.code).toBe(0);
    const frames = fx.proxy.clientFrames();
    expect(frames.length).toBeGreaterThanOrEqual(2);
    const [connect] = fx.proxy.connectParams();
    expect(connect?.["auth"]).toEqual({ token: GW_TOKEN });
    for (const frame of frames) {
      expect(frame).not.toContain(AMBIENT_TOKEN);
      expect(frame).not.toContain(AMBIENT_PASSWORD);
    }
  });

  it("--remote uses only the profile's secret source", async () => {
    expect((await runCli(["remote", "add", "gw2", "--url", fx.proxy.url, "--token-env", "GW2_TOKEN"], { env: fx.env })).code).toBe(0);
    const before = fx.proxy.clientFrames().length;
    const result = await call(["--remote", "gw2"]);
    expect(result.code).toBe(0);
    const frames = fx.proxy.clientFrames().slice(before);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    for (const frame of frames) {
      expect(frame).not.toContain(AMBIENT_TOKEN);
      expect(frame).not.toContain(AMBIENT_PASSWORD);
    }
  });

  it("a remote without a secret source fails before connecting instead of falling back to the ambient token", async () => {
    expect((await runCli(["remote", "add", "bare", "--url", fx.proxy.url], { env: fx.env })).code).toBe(0);
    const before = fx.proxy.tcpConnections();
    const result = await call(["--remote", "bare"]);
    expect(result.code).toBe(2);
    expect(singleJson(result.stdout)).toMatchObject({ error: { type: "gateway_credentials_required" } });
    expect(fx.proxy.tcpConnections()).toBe(before);
  });
});
