import { CredentialStore, GatewayClient, PairingRequiredError, storeSlotForUrl } from "@clawbridge/client";
import { DEFAULT_CALL_TIMEOUT_MS, OperatorScopes } from "@clawbridge/protocol";
import { credentialsError, InterruptedError } from "@clawbridge/cli-contract";
import type { ExitCode, InterruptSignal } from "@clawbridge/cli-contract";
import type { Output } from "../output.js";
import { parseTimeoutMs } from "../parse-numbers.js";
import { runCommand } from "../run-command.js";
import { parseScopeList } from "../scope-list.js";
import { stderrLogger } from "../stderr-logger.js";
import { readStdinText } from "../stdin.js";
import { planSecrets, requireCredentials, resolveConnection } from "../target-options.js";
import type { TargetFlags } from "../target-flags.js";

/** Flags of `clawbridge gateway pair`. */
export interface GatewayPairFlags extends TargetFlags {
  scopes?: string | undefined;
  wait?: string | undefined;
  pollInterval?: string | undefined;
}

/** Default total wait for the operator's approval (ms). */
const DEFAULT_WAIT_MS = 600_000;
/** Default longest pause between approval checks (ms): short enough that nobody waits long after approving. */
const DEFAULT_POLL_MS = 5_000;

function seconds(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

/** Prints the pending request once (and again if the gateway replaced it). */
function requestAnnouncer(output: Output): (error: PairingRequiredError) => string | undefined {
  let shown: string | undefined;
  let announced = false;
  return (error) => {
    const requestId = error.requestId;
    if (announced && requestId === shown) return requestId;
    announced = true;
    shown = requestId;
    // Humans get the request on stdout (it is what this command produces for them);
    // with --json stdout is reserved for the final document, so it goes to stderr.
    const print = output.json ? (text: string) => output.info(text) : (text: string) => output.line(text);
    if (requestId === undefined) {
      print("Pairing required, but the gateway returned no request id; its operator can list requests with: openclaw devices list");
    } else {
      print(`Pairing request: ${requestId}`);
      print(`Approve it on the gateway host: ${error.approveCommand ?? `openclaw devices approve ${requestId}`}`);
    }
    return requestId;
  };
}

/**
 * `clawbridge gateway pair`: creates (or reuses) this machine's Ed25519 device identity
 * for the target, connects with a device proof, and — when the gateway answers
 * `PAIRING_REQUIRED` — prints the request id and the operator's approval command, then
 * retries on a bounded schedule (progress line on stderr) until approved. The device
 * token issued on approval is stored next to the identity and used by later calls.
 */
export function gatewayPair(flags: GatewayPairFlags): Promise<ExitCode> {
  return runCommand("Gateway pair failed", flags.json === true, async (scope) => {
    const { output } = scope;
    const waitMs = flags.wait === undefined ? DEFAULT_WAIT_MS : parseTimeoutMs(flags.wait, "--wait");
    const pollMs = flags.pollInterval === undefined ? DEFAULT_POLL_MS : parseTimeoutMs(flags.pollInterval, "--poll-interval");
    const secrets = planSecrets(flags, output);
    const stdinText = secrets.stdinClaims.length > 0 ? await readStdinText() : undefined;
    const connection = await resolveConnection({ flags, secrets, stdinText, output, defaultTimeoutMs: DEFAULT_CALL_TIMEOUT_MS });
    scope.context = { target: connection.target, remoteId: connection.remoteId };
    await requireCredentials(connection, "pair").catch((error: unknown) => {
      // No target flag: the local default gateway was tried, which is rarely what pairing is for.
      if (flags.remote !== undefined || flags.url !== undefined || flags.port !== undefined) throw error;
      throw credentialsError(
        "CREDENTIALS_REQUIRED",
        `gateway pair without --remote or --url pairs with the local gateway (${connection.target.url}, ${connection.target.urlSource}), and there are no credentials for it`,
        { hint: "to pair with a remote gateway pass --remote <id> (see clawbridge remote list) or --url <url> with --token-env/--token-file" },
      );
    });
    const { options } = connection;
    const scopes = flags.scopes !== undefined ? parseScopeList(flags.scopes) : [...(options.scopeCeiling ?? [OperatorScopes.READ])];

    const store = new CredentialStore(options.configDir ?? "", options.credentialSlot ?? storeSlotForUrl(connection.url));
    const existing = await store.loadIdentity();
    const identity = existing ?? (await store.loadOrCreateIdentity());
    const created = existing === undefined;
    const identityLine = `Device identity: ${identity.deviceId} (${created ? "created" : "existing"}, ${store.directory})`;
    if (output.json) output.info(identityLine);
    else output.line(identityLine);

    const logger = stderrLogger(process.env, output);
    const client = new GatewayClient({
      ...options,
      device: "always",
      deviceIdentity: identity,
      scopes,
      client: { id: "cli", mode: "cli" },
      reconnect: false,
      openTimeoutMs: connection.timeoutMs,
      challengeTimeoutMs: connection.timeoutMs,
      helloTimeoutMs: connection.timeoutMs,
      ...(logger === undefined ? {} : { logger }),
    });
    const interrupted = new AbortController();
    let received: InterruptSignal = "SIGINT";
    const onSignal = (signal: InterruptSignal): void => {
      received = signal;
      interrupted.abort();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    const announce = requestAnnouncer(output);
    let requestId: string | undefined;
    let progressShown = false;
    try {
      const hello = await client
        .waitForPairing({
          signal: interrupted.signal,
          schedule: { initialMs: Math.min(1_000, pollMs), multiplier: 2, maxMs: pollMs, totalMs: waitMs },
          onAttempt: ({ attempt, error, nextDelayMs }) => {
            requestId = announce(error) ?? requestId;
            const text = `waiting for approval (check ${attempt}, next in ${seconds(nextDelayMs)})…`;
            if (output.stderrIsTty) output.progress(`\r\u001b[2K${text}`);
            else output.info(text);
            progressShown = true;
          },
        })
        .catch((error: unknown) => {
          if (!interrupted.signal.aborted) throw error;
          throw new InterruptedError(received, false, `pairing interrupted by ${received}; request ${requestId ?? "(none)"} stays pending on the gateway`);
        });
      if (progressShown && output.stderrIsTty) output.progress("\n");
      const stored = await store.loadDeviceToken(identity.deviceId, hello.auth.role);
      const result = {
        ok: true,
        remote: connection.remoteId ?? null,
        url: connection.target.url,
        deviceId: identity.deviceId,
        identityCreated: created,
        requestId: requestId ?? null,
        role: hello.auth.role,
        scopes: hello.auth.scopes,
        deviceTokenStored: stored !== undefined,
      };
      if (output.json) {
        output.document(result);
      } else {
        output.line(
          `${output.out.ok("Paired")} with ${connection.target.url}: role ${hello.auth.role}, scopes ${hello.auth.scopes.join(", ") || "(none)"}; ` +
            (stored !== undefined ? "device token stored." : "the gateway issued no device token."),
        );
      }
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      await client.close();
    }
  });
}
