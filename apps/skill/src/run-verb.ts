import { assertWithinCeiling, effectiveSkillPolicy, RemoteStore, resolveRequestedScopes, ScopeCeilingError } from "@clawbridge/client";
import { catalogueScopeOf, METHOD_CATALOGUE_SOURCE } from "@clawbridge/protocol";
import { errorEnvelope, ExitCodes, interruptedFailure, reportError, usageError, watchInterrupts } from "@clawbridge/cli-contract";
import type { ErrorContext, ExitCode } from "@clawbridge/cli-contract";
import { verbsForRemote } from "./arg-pattern.js";
import { echoInput } from "./echo-input.js";
import { callOnSession } from "./gateway-session.js";
import type { JsonOutput } from "./json-output.js";
import { DEFAULT_TIMEOUT_MS, loadRemote, resolveConnection } from "./remote-context.js";
import { planVerb } from "./verb-plan.js";
import type { VerbName } from "./verbs.js";

/** Largest `--timeout` (ms): one hour. */
const MAX_TIMEOUT_MS = 3_600_000;

/** A parsed invocation of one verb. */
export interface VerbInvocation {
  readonly verb: VerbName;
  /** `<remote_id>` (absent for `remotes`). */
  readonly remoteId: string | undefined;
  /** Positional arguments after `<remote_id>`. */
  readonly args: readonly string[];
  /** Raw `--params`. */
  readonly params: string | undefined;
  /** Raw `--timeout`. */
  readonly timeout: string | undefined;
}

function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw usageError("INVALID_TIMEOUT", `--timeout must be a whole number of milliseconds between 1 and ${MAX_TIMEOUT_MS}`);
  }
  return value;
}

/**
 * A raw `call` of a method the catalogue does not know needs OpenClaw's "unclassified"
 * scope set (admin and more), so the ceiling refuses it; saying "unknown method" is the
 * useful part. Known methods keep the ceiling's own error.
 */
function unknownMethodError(method: string, ceilingError: unknown): unknown {
  if (catalogueScopeOf(method) !== undefined || !(ceilingError instanceof ScopeCeilingError)) return ceilingError;
  return usageError(
    "UNKNOWN_METHOD",
    `${echoInput(method)} is not a method of the OpenClaw gateway protocol (catalogue ${METHOD_CATALOGUE_SOURCE.version}); check the name, or use a task verb (remote-gateway --help; status for the gateway's version). ` +
      `An unlisted method would need the unclassified scope set, beyond this remote's scope ceiling [${ceilingError.ceiling.join(", ")}]`,
    { details: { method: echoInput(method), ceiling: [...ceilingError.ceiling] } },
  );
}

/**
 * `remotes`: what an agent needs to pick a remote — id, the operator's description and
 * the verbs (and node commands) this profile permits. No URL, secret source, scope list
 * or anything else of the profile: where a remote is stays with the operator.
 */
async function listRemotes(env: NodeJS.ProcessEnv): Promise<unknown> {
  // One read of remotes.json (not one per remote).
  const file = await new RemoteStore({ env }).load();
  const remotes = [];
  for (const [id, profile] of Object.entries(file.remotes).sort(([a], [b]) => a.localeCompare(b))) {
    const policy = effectiveSkillPolicy(profile.skill);
    const entry: Record<string, unknown> = { id };
    if (profile.description !== undefined) entry["description"] = profile.description;
    entry["verbs"] = verbsForRemote({ id, ...policy, scopes: profile.scopes });
    if (policy.allowInvoke.length > 0) entry["invokeCommands"] = [...policy.allowInvoke];
    remotes.push(entry);
  }
  return { remotes };
}

/**
 * Runs one verb in this process and prints exactly one JSON document on stdout: the
 * result, or `{"ok":false,"error":{…}}`. Resolves with the exit code (packages/cli-contract's
 * `ExitCodes`). SIGINT/SIGTERM end the verb as an `interrupted` failure (130 / 143).
 * Order matters for safety: arguments and policy are checked first, secrets are resolved
 * only for a request that will be sent, and every secret is registered with the
 * output's redactor as soon as it exists.
 *
 * @throws OutputWriteError when stdout cannot take the document (exit 7)
 */
export async function runVerb(invocation: VerbInvocation, output: JsonOutput, env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const context: { -readonly [K in keyof ErrorContext]: ErrorContext[K] } = {};
  const interrupts = watchInterrupts();
  let result: unknown;
  try {
    result = await interrupts.race(verbResult(invocation, output, env, context, interrupts.signal));
  } catch (error) {
    const received = interrupts.received;
    const report = reportError(output.redactor.scrubError(received === undefined ? error : interruptedFailure(received, error)), context);
    // No `gateway: {url}`: the agent names remotes by id and never sees where they are.
    const { gateway: _where, ...envelope } = errorEnvelope(report);
    output.document(envelope);
    return report.exitCode;
  } finally {
    interrupts.dispose();
  }
  output.document(result);
  return ExitCodes.OK;
}

/** The verb's document (printed by {@link runVerb}, never here: an interrupted verb that settles late must print nothing). */
async function verbResult(
  invocation: VerbInvocation,
  output: JsonOutput,
  env: NodeJS.ProcessEnv,
  context: { -readonly [K in keyof ErrorContext]: ErrorContext[K] },
  signal: AbortSignal,
): Promise<unknown> {
  if (invocation.verb === "remotes") return listRemotes(env);
  const timeoutMs = parseTimeout(invocation.timeout);
  const remote = await loadRemote(invocation.remoteId ?? "", env);
  context.remoteId = remote.id;
  const budgetMs = timeoutMs ?? remote.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const plan = planVerb(invocation.verb, remote, { args: invocation.args, params: invocation.params, budgetMs });
  if (remote.profile.scopes !== undefined) {
    // The scope ceiling is policy too: refuse before a secret command runs.
    try {
      assertWithinCeiling(resolveRequestedScopes({ methods: plan.calls }), remote.profile.scopes, plan.calls[0]?.method);
    } catch (error) {
      throw invocation.verb === "call" ? unknownMethodError(plan.calls[0]?.method ?? "", error) : error;
    }
  }
  const options = await resolveConnection(remote, (secret) => output.redactor.add(secret), env);
  // Messages name the remote by id ("not reachable at remote gw2"), never by URL.
  context.target = { url: `remote ${remote.id}`, urlSource: "remote profile" };
  return plan.result(await callOnSession(options, plan.calls, budgetMs, signal));
}
