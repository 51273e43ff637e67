import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PairingStore, checkSharedSecret, jsonFilePersistence, safeEqualSecret } from "../src/index.js";
import { REMOTE, connectParams, createDevice, handshake, signConnect, startGateway } from "./helpers.js";
import type { TestGateway } from "./helpers.js";

let gateway: TestGateway | undefined;
afterEach(async () => {
  await gateway?.server.close({ graceMs: 200 });
  gateway = undefined;
});

function helloAuth(response: Record<string, unknown>): Record<string, unknown> {
  expect(response["ok"], JSON.stringify(response["error"])).toBe(true);
  return (response["payload"] as { auth: Record<string, unknown> }).auth;
}

describe("shared secret", () => {
  it("compares in constant time on digests and falls back to the other field", () => {
    expect(safeEqualSecret("abc", "abc")).toBe(true);
    expect(safeEqualSecret("abc", "abcd")).toBe(false);
    expect(checkSharedSecret({ mode: "token", token: "t" }, { password: "t" })).toEqual({
      ok: true,
      method: "token",
      sharedSecretUsed: true,
    });
    expect(checkSharedSecret({ mode: "password", password: "p" }, { token: "p" })).toMatchObject({ ok: true, method: "password" });
    expect(checkSharedSecret({ mode: "token", token: "" }, { token: "x" })).toEqual({ ok: false, reason: "token_missing_config" });
    expect(checkSharedSecret({ mode: "none" }, undefined)).toMatchObject({ ok: true, method: "none" });
  });

  it("accepts the right token and reports method token", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams({ auth: { token: "secret-token" } }));
    expect(helloAuth(response)).toEqual({ method: "token", role: "operator", scopes: ["operator.read"], recoveryScope: expect.any(String) });
    client.close();
  });

  it("rejects a wrong token with OpenClaw's message and details, close 1008", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () => connectParams({ auth: { token: "wrong" } }));
    const message = "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)";
    expect(response["error"]).toEqual({
      code: "INVALID_REQUEST",
      message,
      details: {
        code: "AUTH_TOKEN_MISMATCH",
        authReason: "token_mismatch",
        canRetryWithDeviceToken: false,
        recommendedNextStep: "update_auth_credentials",
      },
    });
    expect(await client.closed).toEqual({ code: 1008, reason: message });
  });

  it("words the hint for a remote CLI", async () => {
    gateway = await startGateway();
    const { response } = await handshake(gateway.url, () => connectParams({ auth: { token: "wrong" } }), REMOTE);
    expect((response["error"] as { message: string }).message).toBe(
      "unauthorized: gateway token mismatch (set gateway.remote.token to match gateway.auth.token)",
    );
  });

  it("offers a device-token retry after a token mismatch from a device", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const { response } = await handshake(gateway.url, (nonce) =>
      signConnect(device, connectParams({ auth: { token: "wrong" } }), nonce),
    );
    expect((response["error"] as { details: unknown }).details).toMatchObject({
      code: "AUTH_TOKEN_MISMATCH",
      canRetryWithDeviceToken: true,
      recommendedNextStep: "retry_with_device_token",
    });
  });

  it("password mode: accepts the password (also in auth.token) and rejects a wrong one", async () => {
    gateway = await startGateway({ auth: { mode: "password", password: "hunter2" } });
    const ok = await handshake(gateway.url, () => connectParams({ auth: { password: "hunter2" } }));
    expect(helloAuth(ok.response)["method"]).toBe("password");
    ok.client.close();
    const viaToken = await handshake(gateway.url, () => connectParams({ auth: { token: "hunter2" } }));
    expect(helloAuth(viaToken.response)["method"]).toBe("password");
    viaToken.client.close();
    const bad = await handshake(gateway.url, () => connectParams({ auth: { password: "nope" } }));
    expect(bad.response["error"]).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unauthorized: gateway password mismatch (use this gateway's gateway.auth.password)",
      details: { code: "AUTH_PASSWORD_MISMATCH", authReason: "password_mismatch" },
    });
    expect((await bad.client.closed).code).toBe(1008);
  });

  it("a missing token without a device is 'device identity required' (OpenClaw's order)", async () => {
    gateway = await startGateway();
    const { response } = await handshake(gateway.url, () => connectParams({}));
    expect(response["error"]).toEqual({
      code: "NOT_PAIRED",
      message: "device identity required",
      details: { code: "DEVICE_IDENTITY_REQUIRED" },
    });
  });
});

describe("missing device identity", () => {
  const scopes = ["operator.read", "operator.write"];

  it("keeps the scopes of cli/cli on a direct-local socket", async () => {
    gateway = await startGateway();
    const { response } = await handshake(gateway.url, () => connectParams({ auth: { token: "secret-token" }, scopes }));
    expect(helloAuth(response)["scopes"]).toEqual(scopes);
  });

  it("clears the scopes of cli/cli when a proxy header makes the socket non-local", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(
      gateway.url,
      () => connectParams({ auth: { token: "secret-token" }, scopes }),
      REMOTE,
    );
    expect(helloAuth(response)["scopes"]).toEqual([]);
    // health still works, status needs operator.read.
    expect(await client.call("h", "health")).toMatchObject({ ok: true });
    expect(await client.call("s", "status")).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN", message: "missing scope: operator.read" },
    });
  });

  it("clears the scopes of a local cli with an Origin header and of test/test clients", async () => {
    gateway = await startGateway();
    const withOrigin = await handshake(
      gateway.url,
      () => connectParams({ auth: { token: "secret-token" }, scopes }),
      { Origin: "http://127.0.0.1" },
    );
    expect(helloAuth(withOrigin.response)["scopes"]).toEqual([]);
    const testClient = await handshake(gateway.url, () =>
      connectParams({
        auth: { token: "secret-token" },
        scopes,
        client: { id: "test", version: "1", platform: "linux", mode: "test" },
      }),
    );
    expect(helloAuth(testClient.response)["scopes"]).toEqual([]);
  });

  it("keeps the scopes of gateway-client/backend locally", async () => {
    gateway = await startGateway();
    const { response } = await handshake(gateway.url, () =>
      connectParams({
        auth: { token: "secret-token" },
        scopes,
        client: { id: "gateway-client", version: "1", platform: "linux", mode: "backend" },
      }),
    );
    expect(helloAuth(response)["scopes"]).toEqual(scopes);
  });

  it("refuses a node without a device identity", async () => {
    gateway = await startGateway();
    const { client, response } = await handshake(gateway.url, () =>
      connectParams({
        auth: { token: "secret-token" },
        role: "node",
        scopes: [],
        client: { id: "node-host", version: "1", platform: "linux", mode: "node" },
      }),
    );
    expect(response["error"]).toEqual({
      code: "NOT_PAIRED",
      message: "device identity required",
      details: { code: "DEVICE_IDENTITY_REQUIRED" },
    });
    expect(await client.closed).toEqual({ code: 1008, reason: "device identity required" });
  });

  it("refuses the Control UI without a device identity", async () => {
    gateway = await startGateway();
    const { response } = await handshake(gateway.url, () =>
      connectParams({
        auth: { token: "secret-token" },
        client: { id: "openclaw-control-ui", version: "1", platform: "web", mode: "webchat" },
      }),
    );
    expect(response["error"]).toMatchObject({
      code: "INVALID_REQUEST",
      details: { code: "CONTROL_UI_DEVICE_IDENTITY_REQUIRED" },
    });
  });
});

describe("device identity", () => {
  const auth = { token: "secret-token" };

  it("accepts a v3 signature, auto-approves locally and issues a device token", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const { response } = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce));
    const helloAuthValue = helloAuth(response);
    expect(helloAuthValue).toMatchObject({ method: "token", role: "operator", scopes: ["operator.read"] });
    expect(typeof helloAuthValue["deviceToken"]).toBe("string");
    expect(typeof helloAuthValue["issuedAtMs"]).toBe("number");
    expect(gateway.pairing.getPaired(device.deviceId)?.roles).toEqual(["operator"]);
  });

  it("accepts a v2 signature and standard-base64 / PEM public keys", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const v2 = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce, { version: "v2" }));
    expect(v2.response["ok"]).toBe(true);
    const b64 = await handshake(gateway.url, (nonce) =>
      signConnect(device, connectParams({ auth }), nonce, { publicKey: device.raw.toString("base64") }),
    );
    expect(b64.response["ok"]).toBe(true);
    const pem = device.publicKeyObject.export({ format: "pem", type: "spki" }).toString();
    const viaPem = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce, { publicKey: pem }));
    expect(viaPem.response["ok"]).toBe(true);
  });

  const failures: [string, (nonce: string) => Record<string, unknown>, string, string][] = [
    [
      "id mismatch",
      (nonce) => signConnect(createDevice(), connectParams({ auth }), nonce, { id: "0".repeat(64) }),
      "DEVICE_AUTH_DEVICE_ID_MISMATCH",
      "device identity mismatch",
    ],
    [
      "nonce mismatch",
      (nonce) => {
        const signed = signConnect(createDevice(), connectParams({ auth }), nonce, { signNonce: "other" });
        return { ...signed, device: { ...signed.device, nonce: "other" } };
      },
      "DEVICE_AUTH_NONCE_MISMATCH",
      "device nonce mismatch",
    ],
    [
      "nonce blank",
      (nonce) => {
        const signed = signConnect(createDevice(), connectParams({ auth }), nonce);
        return { ...signed, device: { ...signed.device, nonce: "  " } };
      },
      "DEVICE_AUTH_NONCE_REQUIRED",
      "device nonce required",
    ],
    [
      "expired signature",
      (nonce) => signConnect(createDevice(), connectParams({ auth }), nonce, { signedAt: Date.now() - 121_000 }),
      "DEVICE_AUTH_SIGNATURE_EXPIRED",
      "device signature expired",
    ],
    [
      "signature over other scopes",
      (nonce) => ({ ...signConnect(createDevice(), connectParams({ auth }), nonce), scopes: ["operator.admin"] }),
      "DEVICE_AUTH_SIGNATURE_INVALID",
      "device signature invalid",
    ],
  ];
  for (const [name, build, code, message] of failures) {
    it(`rejects ${name} with ${code}`, async () => {
      gateway = await startGateway();
      const { client, response } = await handshake(gateway!.url, build);
      expect(response["error"]).toMatchObject({ code: "INVALID_REQUEST", message, details: { code } });
      expect(await client.closed).toEqual({ code: 1008, reason: message });
    });
  }
});

describe("pairing", () => {
  const auth = { token: "secret-token" };

  it("pending → approved → device token reuse (remote socket)", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const requested: string[] = [];
    gateway.pairing.onEvent((event) => {
      if (event.type === "requested") requested.push(event.request.requestId);
    });
    const first = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce), REMOTE);
    const error = first.response["error"] as { code: string; message: string; details: Record<string, unknown> };
    expect(error.code).toBe("NOT_PAIRED");
    expect(error.message).toBe("pairing required: device is not approved yet");
    const requestId = error.details["requestId"] as string;
    expect(error.details).toEqual({
      code: "PAIRING_REQUIRED",
      reason: "not-paired",
      requestId,
      remediationHint: "Approve this device from the pending pairing requests.",
      deviceId: device.deviceId,
      requestedRole: "operator",
      requestedScopes: ["operator.read"],
    });
    expect(requested).toEqual([requestId]);
    const closed = await first.client.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toBe(`pairing required: device is not approved yet (requestId: ${requestId})`);

    // Retrying before approval reuses the same request.
    const again = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce), REMOTE);
    expect((again.response["error"] as { details: { requestId: string } }).details.requestId).toBe(requestId);

    expect(gateway.pairing.approve(requestId)?.device.deviceId).toBe(device.deviceId);
    const approved = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce), REMOTE);
    const token = helloAuth(approved.response)["deviceToken"] as string;
    expect(token.length).toBeGreaterThan(20);
    approved.client.close();

    // The device token alone now authenticates, from anywhere.
    const reuse = await handshake(
      gateway.url,
      (nonce) => signConnect(device, connectParams({ auth: { deviceToken: token } }), nonce),
      REMOTE,
    );
    expect(helloAuth(reuse.response)).toMatchObject({ method: "device-token", scopes: ["operator.read"], deviceToken: token });
    reuse.client.close();

    // auth.token carrying the device token works as the fallback candidate.
    const fallback = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth: { token } }), nonce), REMOTE);
    expect(helloAuth(fallback.response)["method"]).toBe("device-token");
    fallback.client.close();

    const wrong = await handshake(
      gateway.url,
      (nonce) => signConnect(device, connectParams({ auth: { deviceToken: "nope" } }), nonce),
      REMOTE,
    );
    expect(wrong.response["error"]).toMatchObject({
      code: "INVALID_REQUEST",
      message: "unauthorized: device token mismatch (rotate/reissue device token)",
      details: { code: "AUTH_DEVICE_TOKEN_MISMATCH", recommendedNextStep: "update_auth_credentials" },
    });

    const moreScopes = await handshake(
      gateway.url,
      (nonce) => signConnect(device, connectParams({ auth: { deviceToken: token }, scopes: ["operator.admin"] }), nonce),
      REMOTE,
    );
    expect(moreScopes.response["error"]).toMatchObject({
      details: { code: "AUTH_SCOPE_MISMATCH", recommendedNextStep: "review_auth_configuration" },
    });

    // With the shared secret, more scopes is a scope upgrade to approve (never silent).
    const upgrade = await handshake(gateway.url, (nonce) =>
      signConnect(device, connectParams({ auth, scopes: ["operator.read", "operator.write"] }), nonce),
    );
    expect(upgrade.response["error"]).toMatchObject({
      code: "NOT_PAIRED",
      message: "pairing required: device is asking for more scopes than currently approved",
      details: { reason: "scope-upgrade", approvedRoles: ["operator"], approvedScopes: ["operator.read"] },
    });
  });

  it("rejected requests are gone; reject/approve of unknown ids return undefined", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const { response } = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce), REMOTE);
    const requestId = (response["error"] as { details: { requestId: string } }).details.requestId;
    expect(gateway.pairing.reject(requestId)?.deviceId).toBe(device.deviceId);
    expect(gateway.pairing.listPending()).toEqual([]);
    expect(gateway.pairing.approve(requestId)).toBeUndefined();
  });

  it("does not auto-approve local devices when autoApproveLocal is off", async () => {
    gateway = await startGateway({ authenticator: { autoApproveLocal: false } });
    const device = createDevice();
    const { response } = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce));
    expect(response["error"]).toMatchObject({ code: "NOT_PAIRED", details: { reason: "not-paired" } });
  });

  it("asks for re-approval when pinned metadata changes, and for a new node role", async () => {
    gateway = await startGateway();
    const device = createDevice();
    const first = await handshake(gateway.url, (nonce) => signConnect(device, connectParams({ auth }), nonce));
    expect(first.response["ok"]).toBe(true);
    const params = connectParams({ auth });
    const changed = { ...params, client: { ...params.client, platform: "macos", deviceFamily: "Mac" } };
    const metadata = await handshake(gateway.url, (nonce) => signConnect(device, changed, nonce));
    expect(metadata.response["error"]).toMatchObject({
      message: "pairing required: device identity changed and must be re-approved",
      details: { reason: "metadata-upgrade" },
    });
    const asNode = await handshake(gateway.url, (nonce) =>
      signConnect(device, connectParams({ auth, role: "node", scopes: [] }), nonce),
    );
    expect(asNode.response["error"]).toMatchObject({
      message: "pairing required: device is asking for a higher role than currently approved",
      details: { reason: "role-upgrade", requestedRole: "node" },
    });
  });

  it("persists to a JSON file and loads it back", () => {
    const dir = mkdtempSync(join(tmpdir(), "clawbridge-pairing-"));
    const path = join(dir, "pairing.json");
    const store = new PairingStore({ persistence: jsonFilePersistence(path) });
    const device = createDevice();
    store.pair({ deviceId: device.deviceId, publicKey: device.publicKey, role: "operator", scopes: ["operator.read"] });
    const token = store.ensureToken(device.deviceId, "operator");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toMatchObject({ version: 1 });
    const reloaded = new PairingStore({ persistence: jsonFilePersistence(path) });
    expect(reloaded.verifyDeviceToken(device.deviceId, token!.token, "operator", ["operator.read"])).toEqual({ ok: true });
    expect(reloaded.verifyDeviceToken(device.deviceId, token!.token, "operator", ["operator.write"])).toEqual({
      ok: false,
      reason: "scope_mismatch",
    });
  });
});

describe("hello-ok.auth.recoveryScope", () => {
  it("is the same for every socket of a shared-secret principal, whatever its scopes, and absent for nodes", async () => {
    gateway = await startGateway();
    const scopeOf = async (scopes: string[], clientId: "cli" | "test" = "cli"): Promise<unknown> => {
      const { client, response } = await handshake(gateway!.url, () =>
        connectParams({ scopes, auth: { token: "secret-token" }, client: { id: clientId, version: "1", platform: "linux", mode: clientId } }),
      );
      client.close();
      return helloAuth(response)["recoveryScope"];
    };
    const read = await scopeOf(["operator.read"]);
    expect(read).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await scopeOf(["operator.admin"])).toBe(read);
    expect(await scopeOf(["operator.read"], "test")).toBe(read);
    const device = createDevice();
    const node = await handshake(gateway.url, (nonce) =>
      signConnect(device, connectParams({ role: "node", scopes: [], auth: { token: "secret-token" }, client: { id: "node-host", version: "1", platform: "linux", mode: "node" } }), nonce),
    );
    expect(helloAuth(node.response)).not.toHaveProperty("recoveryScope");
    node.client.close();
    // Another gateway secret is another principal.
    const other = await startGateway({ auth: { mode: "token", token: "other-token" } });
    try {
      const { client, response } = await handshake(other.url, () => connectParams({ auth: { token: "other-token" } }));
      expect(helloAuth(response)["recoveryScope"]).not.toBe(read);
      client.close();
    } finally {
      await other.server.close({ graceMs: 200 });
    }
  });
});
