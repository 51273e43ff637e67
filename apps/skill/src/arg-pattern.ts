import { escapeRegex } from "./regex-escape.js";
import { VERB_NAMES, VERBS } from "./verbs.js";
import type { VerbName } from "./verbs.js";

/** A remote the skill may use on this host, with its profile's skill policy (defaults applied). */
export interface SkillRemote {
  readonly id: string;
  /** Node commands `invoke` may send (profile `skill.allowInvoke`). */
  readonly allowInvoke: readonly string[];
  /** Whether `call` is enabled (profile `skill.allowCall`). */
  readonly allowCall: boolean;
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
 * The verbs an allowlist for these remotes must permit: the read verbs and `remotes`
 * always (when there is a remote), `invoke` only if some remote allows a node command,
 * `call` only if some remote enables it.
 */
export function verbsInUse(remotes: readonly SkillRemote[]): VerbName[] {
  if (remotes.length === 0) return ["remotes"];
  return VERB_NAMES.filter((name) => {
    const policy = VERBS[name].policy;
    if (policy === "invoke") return remotes.some((remote) => remote.allowInvoke.length > 0);
    if (policy === "call") return remotes.some((remote) => remote.allowCall);
    return true;
  });
}

/**
 * The `argPattern` that lets WN1's `system.run` start `remote-gateway` with exactly the
 * verbs in use, only for these remote ids, with `invoke` limited per remote to the node
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
    const ids = alternatives(remotes.map((remote) => escapeRegex(remote.id)));
    const plain = VERB_NAMES.filter((name) => VERBS[name].policy === "read" && VERBS[name].args.length === 0);
    branches.push(`${alternatives(plain)} ${ids}${TIMEOUT}`);
    branches.push(`describe_node ${ids} ${POSITIONAL}${TIMEOUT}`);
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
