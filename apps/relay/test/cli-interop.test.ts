import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MockGateway } from "@clawbridge/mock-gateway";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken, newToken, relayYaml, startRelay, startUpstream, tempDir, writeSecret } from "./helpers/harness.js";
import type { TestRelay } from "./helpers/harness.js";

/** The clawbridge CLI bin, built by `pnpm build` at the root (this suite needs it). */
const CLI = join(import.meta.dirname, "..", "..", "cli", "dist", "bin", "clawbridge");
const UPSTREAM_TOKEN = newToken();
const CLIENT_TOKEN = newToken();

function cli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!existsSync(CLI))("the clawbridge CLI through the relay (run pnpm build first)", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let gateway: MockGateway;
  let relay: TestRelay;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir());
    gateway = await startUpstream(UPSTREAM_TOKEN);
    await writeSecret(join(dir, "gw2.token"), UPSTREAM_TOKEN);
    relay = await startRelay(
      dir,
      relayYaml({
        stateDir: join(dir, "state"),
        // gw3 is the same gateway under a second id, one wn1 may not use.
        upstreams: { gw2: { url: gateway.url, tokenFile: join(dir, "gw2.token") }, gw3: { url: gateway.url, tokenFile: join(dir, "gw2.token") } },
        clients: `  wn1:\n    tokenSha256: ${hashToken(CLIENT_TOKEN)}\n    upstreams: [gw2]\n    allow: [health, "node.list"]\n`,
      }),
    );
    env = { RELAY_TOKEN: CLIENT_TOKEN, CLAWBRIDGE_CONFIG_DIR: join(dir, "cli-config") };
  });
  afterAll(async () => {
    await relay?.close();
    await gateway?.stop();
    await cleanup?.();
  });

  it("an allowed call prints the payload and exits 0", async () => {
    const result = await cli(["gateway", "call", "node.list", "--url", relay.url("/gw/gw2"), "--token-env", "RELAY_TOKEN", "--json"], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ nodes: [] });
  });

  it("a policy denial is exit 6 with a relay_policy_denied envelope, at request and at connect time", async () => {
    const denied = await cli(["gateway", "call", "logs.tail", "--url", relay.url("/gw/gw2"), "--token-env", "RELAY_TOKEN", "--json"], env);
    expect(denied.code).toBe(6);
    expect(JSON.parse(denied.stdout)).toMatchObject({
      ok: false,
      error: { type: "relay_policy_denied", code: "FORBIDDEN", details: { code: "RELAY_POLICY_DENIED", rule: "methodNotAllowed" } },
    });
    expect(denied.stdout + denied.stderr).not.toContain(CLIENT_TOKEN);
    const route = await cli(["gateway", "call", "health", "--url", relay.url("/gw/gw3"), "--token-env", "RELAY_TOKEN", "--json"], env);
    expect(route.code).toBe(6);
    expect(JSON.parse(route.stdout)).toMatchObject({ ok: false, error: { type: "relay_policy_denied" } });
    // An upstream the relay does not have is an ordinary connect rejection (exit 4).
    const unknown = await cli(["gateway", "call", "health", "--url", relay.url("/gw/gw9"), "--token-env", "RELAY_TOKEN", "--json"], env);
    expect(unknown.code).toBe(4);
  });
});
