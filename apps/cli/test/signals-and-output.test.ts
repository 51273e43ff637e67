import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo, Server, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_BIN, runningCli, singleJson } from "./helpers/cli.js";
import { useMockGatewayFixture } from "./helpers/gateway.js";

/** Resolves once `check` holds, polling every 20 ms (fails after `timeoutMs`). */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("SIGINT/SIGTERM during a one-shot command: still one JSON document, exit 130/143", () => {
  const fx = useMockGatewayFixture({ proxy: true });
  let silent: Server;
  let silentUrl = "";
  const accepted: Socket[] = [];

  beforeAll(async () => {
    // Accepts TCP connections and never answers: the WebSocket upgrade never completes.
    silent = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentUrl = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s while connecting: exit %i and an interrupted envelope, request not sent", async (signal, code) => {
    const cli = runningCli(["gateway", "call", "status", ...fx.target(silentUrl), "--timeout", "20000", "--json"], { env: fx.env });
    const before = accepted.length;
    await until(() => accepted.length > before, "the CLI's TCP connection");
    const started = performance.now();
    cli.child.kill(signal);
    const result = await cli.exited;
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.code).toBe(code);
    expect(singleJson(result.stdout)).toEqual({
      ok: false,
      error: { type: "interrupted", code: "INTERRUPTED", message: `interrupted by ${signal} (request was not sent)`, details: { signal }, requestSent: false },
    });
  });

  it("SIGINT after the request was sent says so (the gateway may still act)", async () => {
    fx.gateway.faults.set("status", { drop: true, times: 1 });
    const cli = runningCli(["gateway", "call", "status", ...fx.target(fx.proxy.url), "--timeout", "20000", "--json"], { env: fx.env });
    const frames = fx.proxy.clientFrames().length;
    await until(() => fx.proxy.clientFrames().slice(frames).some((frame) => frame.includes('"method":"status"')), "the status request");
    cli.child.kill("SIGINT");
    const result = await cli.exited;
    expect(result.code).toBe(130);
    expect((singleJson(result.stdout) as { error: unknown }).error).toMatchObject({ type: "interrupted", requestSent: true });
    fx.gateway.faults.clear("status");
  });

  it("human output: one line on stderr; gateway methods is interruptible too", async () => {
    const call = runningCli(["gateway", "call", "status", ...fx.target(silentUrl), "--timeout", "20000"], { env: fx.env });
    let before = accepted.length;
    await until(() => accepted.length > before, "the CLI's TCP connection");
    call.child.kill("SIGTERM");
    const human = await call.exited;
    expect(human.code).toBe(143);
    expect(human.stdout).toBe("");
    expect(human.stderr.trim()).toBe("Gateway call failed: interrupted by SIGTERM (request was not sent)");
    const methods = runningCli(["gateway", "methods", ...fx.target(silentUrl), "--timeout", "20000", "--json"], { env: fx.env });
    before = accepted.length;
    await until(() => accepted.length > before, "the CLI's TCP connection");
    methods.child.kill("SIGINT");
    const listed = await methods.exited;
    expect(listed.code).toBe(130);
    expect(singleJson(listed.stdout)).toMatchObject({ ok: false, error: { type: "interrupted" } });
  });
});

describe.runIf(existsSync("/dev/full"))("stdout that cannot be written (ENOSPC)", () => {
  const fx = useMockGatewayFixture();

  const runToFull = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const full = openSync("/dev/full", "w");
      const child = spawn(process.execPath, [CLI_BIN, ...args], { env: fx.env, stdio: ["ignore", full, "pipe"] });
      closeSync(full);
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
      child.once("error", reject);
      child.once("close", (code) => resolve({ code, stderr }));
    });

  it.each([
    ["gateway call --json", ["gateway", "call", "status", "--json"]],
    ["gateway call", ["gateway", "call", "status"]],
    ["--help", ["--help"]],
  ])("%s: one line on stderr and exit 7, no stack trace", async (_label, args) => {
    const result = await runToFull(args[0] === "--help" ? args : [...args, ...fx.target()]);
    expect(result.code).toBe(7);
    expect(result.stderr).toBe("clawbridge: cannot write to stdout (ENOSPC); the output is incomplete\n");
  });
});
