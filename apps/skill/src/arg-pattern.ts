import { escapeRegex } from "./regex-escape.js";
import { ceilingCovers } from "./scope-ceiling.js";
import { VERB_NAMES, VERBS } from "./verbs.js";
import type { VerbName } from "./verbs.js";

/** A remote the skill may use on this host, with its profile's skill policy (defaults applied). */
export interface SkillRemote {
  readonly id: string;
  /** Node commands `invoke` may send (profile `skill.allowInvoke`). */
  readonly allowInvoke: readonly string[];
  /** Whether `call` is enabled (profile `skill.allowCall`). */
  readonly allowCall: boolean;
  /**
   * The profile's scope ceiling (`scopes`), if it sets one: a read verb whose requests
   * need a scope beyond it always fails (exit 2 `SCOPE_CEILING`), so it is left out.
   */
  readonly scopes?: readonly string[] | undefined;
}

/** A read verb the allowlist leaves out for one remote, and why. */
export interface ExcludedVerb {
  readonly remote: string;
  readonly verb: VerbName;
  /** The scopes the verb needs that the remote's ceiling does not cover. */
  readonly missingScopes: readonly string[];
}

/** Scopes `verb` needs that `remote`'s ceiling does not cover (empty without a ceiling). */
function missingScopes(remote: SkillRemote, verb: VerbName): string[] {
  const ceiling = remote.scopes;
  if (ceiling === undefined) return [];
  return VERBS[verb].scopes.filter((scope) => !ceilingCovers(ceiling, scope));
}

/**
 * The read verbs each remote's scope ceiling cannot serve (e.g. `pending_pairings` on a
 * profile limited to `operator.read`): the allowlist leaves them out for that remote,
 * and `clawbridge skill install` says so.
 */
export function verbsBeyondCeiling(remotes: readonly SkillRemote[]): ExcludedVerb[] {
  return remotes.flatMap((remote) =>
    VERB_NAMES.filter((verb) => VERBS[verb].policy === "read")
      .map((verb) => ({ remote: remote.id, verb, missingScopes: missingScopes(remote, verb) }))
      .filter((excluded) => excluded.missingScopes.length > 0),
  );
}

/**
 * The verbs `remote` gets (in help order, without `remotes`): the read verbs its scope
 * ceiling serves, `invoke` if it allows a node command, `call` if it enables it.
 */
export function verbsForRemote(remote: SkillRemote): VerbName[] {
  return VERB_NAMES.filter((verb) => VERBS[verb].policy !== "local" && serves(remote, verb));
}

/** Whether `remote` gets `verb` in the allowlist. */
function serves(remote: SkillRemote, verb: VerbName): boolean {
  const policy = VERBS[verb].policy;
  if (policy === "invoke") return remote.allowInvoke.length > 0;
  if (policy === "call") return remote.allowCall;
  return missingScopes(remote, verb).length === 0;
}

/**
 * One exec-approvals allowlist entry (`agents.<id>.allowlist[]` of the node's approvals
 * document): `pattern` is matched against the resolved (real) path of the executable,
 * `argPattern` is an ECMAScript regex over argv[1..] joined by single spaces.
 */
export interface AllowlistEntry {
  readonly pattern: string;
  readonly argPattern: string;
}

/** A positional value: one argv element that is not an option (cannot start with `-`). */
const POSITIONAL = "[^\\s-]\\S*";
/** `--timeout <ms>`, positive integer up to 7 digits. */
const TIMEOUT = "(?: --timeout [1-9][0-9]{0,6})?";
/** `--params <json>`: one line of JSON (the regex `.` stops at line breaks, so keep it compact). */
const PARAMS = "(?: --params \\S.*)?";

function alternatives(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `(?:${items.join("|")})`;
}

/**
 * The verbs an allowlist for these remotes must permit: `remotes` always, each read
 * verb if some remote's scope ceiling serves it, `invoke` only if some remote allows a
 * node command, `call` only if some remote enables it.
 */
export function verbsInUse(remotes: readonly SkillRemote[]): VerbName[] {
  return VERB_NAMES.filter((name) => VERBS[name].policy === "local" || remotes.some((remote) => serves(remote, name)));
}

/**
 * The `argPattern` that lets WN1's `system.run` start `remote-gateway` with exactly the
 * verbs in use, only for these remote ids, read verbs only where the remote's scope
 * ceiling serves them, with `invoke` limited per remote to the node
 * commands its profile allows and `call` to the remotes that enable it. Anchored at both
 * ends; positionals cannot start with `-`, so no option can be smuggled in as a node id.
 * Arguments must come in the documented order (`<verb> <remote_id> <args…> [--params
 * <json>] [--timeout <ms>]`). Defence in depth: the bin enforces the same policy itself.
 */
export function buildArgPattern(remotes: readonly SkillRemote[]): string {
  const verbs = new Set(verbsInUse(remotes));
  const branches: string[] = [];
  if (verbs.has("remotes")) branches.push("remotes");
  if (remotes.length > 0) {
    // Read verbs without arguments, grouped by remotes that get the same set (scope ceilings differ).
    const plain = VERB_NAMES.filter((name) => VERBS[name].policy === "read" && VERBS[name].args.length === 0);
    const groups = new Map<string, { verbs: VerbName[]; ids: string[] }>();
    for (const remote of remotes) {
      const verbsOf = plain.filter((verb) => serves(remote, verb));
      if (verbsOf.length === 0) continue;
      const key = verbsOf.join(" ");
      const group = groups.get(key) ?? { verbs: verbsOf, ids: [] };
      group.ids.push(escapeRegex(remote.id));
      groups.set(key, group);
    }
    for (const group of groups.values()) branches.push(`${alternatives(group.verbs)} ${alternatives(group.ids)}${TIMEOUT}`);
    const describers = remotes.filter((remote) => serves(remote, "describe_node")).map((remote) => escapeRegex(remote.id));
    if (describers.length > 0) branches.push(`describe_node ${alternatives(describers)} ${POSITIONAL}${TIMEOUT}`);
    const invokers = remotes.filter((remote) => remote.allowInvoke.length > 0);
    if (invokers.length > 0) {
      const perRemote = invokers.map(
        (remote) => `${escapeRegex(remote.id)} ${POSITIONAL} ${alternatives(remote.allowInvoke.map(escapeRegex))}`,
      );
      branches.push(`invoke ${alternatives(perRemote)}${PARAMS}${TIMEOUT}`);
    }
    const callers = remotes.filter((remote) => remote.allowCall);
    if (callers.length > 0) {
      branches.push(`call ${alternatives(callers.map((remote) => escapeRegex(remote.id)))} ${POSITIONAL}${PARAMS}${TIMEOUT}`);
    }
  }
  return `^(?:${branches.join("|")})$`;
}

/**
 * The allowlist entry for WN1.
 *
 * @param binPath - absolute, symlink-resolved path of the `remote-gateway` executable
 *   (OpenClaw matches `pattern` against the real path of what it runs)
 * @param remotes - the remotes the skill may use on this node
 */
export function buildAllowlistEntry(binPath: string, remotes: readonly SkillRemote[]): AllowlistEntry {
  return { pattern: binPath, argPattern: buildArgPattern(remotes) };
}
