import { describeSecretSource, resolveSecret } from "@clawbridge/client";
import { MockGateway, MockNode } from "@clawbridge/mock-gateway";
import { usageError } from "@clawbridge/cli-contract";
import type { ExitCode } from "@clawbridge/cli-contract";
import { parseListenPort, parseTimeoutMs } from "../parse-numbers.js";
import { runCommand } from "../run-command.js";
import { argvSecretWarning, secretSpecOf, trimSecret } from "../secret-options.js";
import type { SecretSpec } from "../secret-options.js";
import { readStdinText } from "../stdin.js";

/** Flags of `clawbridge mock-gateway`. */
export interface MockGatewayFlags {
  port: string;
  host: string;
  token?: string | undefined;
  tokenEnv?: string | undefined;
  tokenFile?: string | undefined;
  passwordEnv?: string | undefined;
  passwordFile?: string | undefined;
  node: string[];
  nodeAllow: string[];
  tickInterval?: string | undefined;
}

async function secretValue(spec: SecretSpec): Promise<string> {
  switch (spec.kind) {
    case "argv":
      return spec.value;
    case "stdin":
      return trimSecret(await readStdinText());
    case "source":
      return resolveSecret(spec.source);
  }
}

function describeSpec(spec: SecretSpec): string {
  return spec.kind === "source" ? `${describeSecretSource(spec.source).kind}:${describeSecretSource(spec.source).name}` : spec.kind;
}

/** `ws://0.0.0.0:p` → `ws://127.0.0.1:p`, `ws://[::]:p` → `ws://[::1]:p`; other URLs as they are. */
export function connectableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === "0.0.0.0") parsed.hostname = "127.0.0.1";
  else if (parsed.hostname === "[::]") parsed.hostname = "[::1]";
  else return url;
  return parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
}

/**
 * `clawbridge mock-gateway`: runs an in-process {@link MockGateway} (token or password
 * auth), optionally with {@link MockNode}s attached and their command surfaces approved,
 * prints its URL as the single stdout line, logs to stderr, and stops cleanly on
 * SIGINT/SIGTERM (exit 0).
 */
export function mockGatewayCommand(flags: MockGatewayFlags): Promise<ExitCode> {
  return runCommand("Mock gateway failed", false, async ({ output }) => {
    const port = parseListenPort(flags.port);
    const tickIntervalMs = flags.tickInterval === undefined ? undefined : parseTimeoutMs(flags.tickInterval, "--tick-interval");
    const token = secretSpecOf("token", { value: flags.token, env: flags.tokenEnv, file: flags.tokenFile });
    const password = secretSpecOf("password", { env: flags.passwordEnv, file: flags.passwordFile });
    if (token !== undefined && password !== undefined) throw usageError("CONFLICTING_OPTIONS", "give the mock gateway a token or a password, not both");
    const spec = token ?? password;
    if (spec === undefined) {
      throw usageError("CREDENTIALS_REQUIRED", "the mock gateway needs a shared secret", {
        hint: "pass --token-env <VAR>, --token-file <path>, --password-env <VAR> or --password-file <path>",
      });
    }
    if (spec.kind === "argv") output.warn(argvSecretWarning("token"));
    const secret = await secretValue(spec);
    if (secret === "") throw usageError("CREDENTIALS_REQUIRED", "the mock gateway's secret is empty");
    output.redactor.add(secret);
    const auth = token !== undefined ? { token: secret } : { password: secret };

    const gateway = new MockGateway({ auth, host: flags.host, port, tickIntervalMs });
    const boundUrl = await gateway.start();
    // A wildcard bind is not an address to connect to: print (and attach nodes to) loopback.
    const url = connectableUrl(boundUrl);
    const nodes: MockNode[] = [];
    const stopAll = async (): Promise<void> => {
      await Promise.allSettled(nodes.map((node) => node.stop()));
      await gateway.stop({ graceMs: 500 });
    };
    try {
      for (const name of flags.node) {
        const node = new MockNode({ url, ...auth, displayName: name, execAllowlist: flags.nodeAllow.map((pattern) => ({ pattern })) });
        await node.start();
        nodes.push(node);
        output.info(`mock node ${name} connected (nodeId ${node.nodeId})`);
      }
      // Nodes declare system.run; approve their command surfaces as an operator would.
      gateway.approveNodePairing();
    } catch (error) {
      await stopAll();
      throw error;
    }
    const where = url === boundUrl ? url : `all interfaces (${boundUrl}), connect locally with ${url}`;
    output.info(`mock gateway listening on ${where} (${token !== undefined ? "token" : "password"} from ${describeSpec(spec)}); Ctrl-C to stop`);
    output.line(url);

    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await stopAll();
    output.info("mock gateway stopped");
  });
}
