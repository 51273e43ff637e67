// First: zod must be configured before the protocol schemas are constructed.
import "../zod-jitless.js";
import { constants } from "node:fs";
import { access, readFile, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { effectiveSkillPolicy, RemoteStore, resolveConfigDir, summarizeRemote } from "@clawbridge/client";
import type { RemoteProfile, SecretSourceSummary } from "@clawbridge/client";
import { OperatorScopes } from "@clawbridge/protocol";
import { ExitCodes, reportError, usageError } from "@clawbridge/cli-contract";
import type { ErrorBody, ErrorContext, ExitCode } from "@clawbridge/cli-contract";
import { openSession } from "../open-session.js";
import type { Output } from "../output.js";
import { runCommand } from "../run-command.js";
import { importAtRuntime } from "../runtime-import.js";
import { requireCredentials, resolveConnection } from "../target-options.js";

/** Flags of `clawbridge skill install`. */
export interface SkillInstallFlags {
  dir?: string | undefined;
  global?: boolean | undefined;
  remote?: string[] | undefined;
  bin?: string | undefined;
  json?: boolean | undefined;
}

/** Flags of `clawbridge skill doctor`. */
export interface SkillDoctorFlags {
  remote?: string[] | undefined;
  bin?: string | undefined;
  timeout?: string | undefined;
  json?: boolean | undefined;
}

/** The bin the skill needs on PATH (its SKILL.md `requires.bins`). */
const BIN_NAME = "remote-gateway";
/** npm name of the skill package. */
const SKILL_PACKAGE = "@clawbridge/skill";
/** The contract version of `@clawbridge/skill`'s library surface this command speaks. */
const SKILL_PACKAGE_API = 1;

/** A remote as the skill package's allowlist builder takes it. */
interface SkillRemote {
  readonly id: string;
  readonly allowInvoke: readonly string[];
  readonly allowCall: boolean;
  /** The profile's scope ceiling: read verbs it cannot serve are left out of the allowlist. */
  readonly scopes?: readonly string[] | undefined;
}

/** A read verb left out of the allowlist for one remote (its scope ceiling cannot serve it). */
interface ExcludedVerb {
  readonly remote: string;
  readonly verb: string;
  readonly missingScopes: readonly string[];
}

/**
 * The part of `@clawbridge/skill` this command uses. It is loaded at run time from the
 * package that owns the `remote-gateway` bin being allowlisted, so the skill folder, the
 * verb grammar and the argPattern always match the bin that will actually run (and the
 * CLI needs no build-time dependency on the skill).
 */
interface SkillPackage {
  readonly SKILL_PACKAGE_API: number;
  readonly SKILL_NAME: string;
  readonly SKILL_VERSION: string;
  skillSourceDir(): string;
  installSkillFolder(skillsDir: string): Promise<{ path: string; replaced: boolean; createdDirs?: readonly string[] }>;
  buildAllowlistEntry(binPath: string, remotes: readonly SkillRemote[]): { pattern: string; argPattern: string };
  verbsInUse(remotes: readonly SkillRemote[]): string[];
  /** Since skill 0.1 (optional: an older package does not filter by scope ceiling). */
  verbsBeyondCeiling?(remotes: readonly SkillRemote[]): ExcludedVerb[];
}

/** Where `remote-gateway` was found. */
interface LocatedBin {
  /** As found (on PATH or `--bin`), absolute. */
  readonly path: string;
  /** Symlinks resolved: what OpenClaw's exec allowlist matches `pattern` against. */
  readonly realPath: string;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** `remote-gateway` from `--bin`, else the first executable on `PATH`; undefined when absent. */
async function locateBin(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<LocatedBin | undefined> {
  const candidates =
    explicit !== undefined
      ? [resolve(explicit)]
      : (env["PATH"] ?? "")
          .split(delimiter)
          .filter((dir) => dir !== "" && isAbsolute(dir))
          .map((dir) => join(dir, BIN_NAME));
  for (const path of candidates) {
    if (await isExecutableFile(path)) return { path, realPath: await realpath(path) };
  }
  return undefined;
}

function binNotFound(explicit: string | undefined): Error {
  return explicit !== undefined
    ? usageError("SKILL_BIN_NOT_FOUND", `--bin ${explicit} is not an executable file`)
    : usageError("SKILL_BIN_NOT_FOUND", `${BIN_NAME} is not on PATH`, {
        hint: `install it on this node (npm install --global ${SKILL_PACKAGE}), or pass --bin <path of the remote-gateway executable>`,
      });
}

/** The `@clawbridge/skill` package directory that contains the bin's real file. */
async function packageDirOf(realBin: string): Promise<string | undefined> {
  let dir = dirname(realBin);
  for (let depth = 0; depth < 6; depth += 1) {
    try {
      const json = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { name?: unknown };
      if (json.name === SKILL_PACKAGE) return dir;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

async function loadSkillPackage(bin: LocatedBin): Promise<SkillPackage> {
  const dir = await packageDirOf(bin.realPath);
  if (dir === undefined) {
    throw usageError("SKILL_PACKAGE_NOT_FOUND", `${bin.realPath} is not inside the ${SKILL_PACKAGE} package`, {
      hint: "a package manager shim hides the real file; pass --bin <path of the real remote-gateway file> (…/@clawbridge/skill/dist/bin/remote-gateway)",
    });
  }
  const loaded = (await importAtRuntime(pathToFileURL(join(dir, "dist", "index.js")).href)) as Partial<SkillPackage>;
  const functions = ["skillSourceDir", "installSkillFolder", "buildAllowlistEntry", "verbsInUse"] as const;
  if (loaded.SKILL_PACKAGE_API !== SKILL_PACKAGE_API || functions.some((name) => typeof loaded[name] !== "function")) {
    throw usageError(
      "SKILL_PACKAGE_INCOMPATIBLE",
      `${SKILL_PACKAGE} at ${dir} speaks installer API ${String(loaded.SKILL_PACKAGE_API)}, this clawbridge expects ${SKILL_PACKAGE_API}`,
      { hint: "install matching versions of @clawbridge/cli and @clawbridge/skill" },
    );
  }
  return loaded as SkillPackage;
}

/** OpenClaw's state dir: `$OPENCLAW_STATE_DIR` (with `~` expanded), else `~/.openclaw`. */
function openclawStateDir(env: NodeJS.ProcessEnv): string {
  const fromEnv = env["OPENCLAW_STATE_DIR"]?.trim();
  if (fromEnv === undefined || fromEnv === "") return join(env["HOME"] ?? homedir(), ".openclaw");
  return fromEnv === "~" || fromEnv.startsWith("~/") ? join(env["HOME"] ?? homedir(), fromEnv.slice(1)) : resolve(fromEnv);
}

/** Ids to use (given, else every profile) with their profiles, validated before anything is written. */
async function selectRemotes(ids: readonly string[] | undefined, env: NodeJS.ProcessEnv): Promise<Array<{ id: string; profile: RemoteProfile }>> {
  const store = new RemoteStore({ env });
  const wanted = ids !== undefined && ids.length > 0 ? [...new Set(ids)] : (await store.list()).map((remote) => remote.id);
  const out: Array<{ id: string; profile: RemoteProfile }> = [];
  for (const id of wanted) out.push({ id, profile: await store.get(id) });
  return out;
}

/** Names of the environment variables the remotes' secrets come from (never their values). */
function secretEnvNames(remotes: ReadonlyArray<{ profile: RemoteProfile }>): string[] {
  const names = new Set<string>();
  for (const { profile } of remotes) {
    if (profile.auth?.tokenEnv !== undefined) names.add(profile.auth.tokenEnv);
    if (profile.auth?.passwordEnv !== undefined) names.add(profile.auth.passwordEnv);
  }
  return [...names].sort();
}

/** Placeholder of the printed `skills.entries` snippet: it names variables, it never holds a value. */
const ENV_PLACEHOLDER = "<secret: set on the host that runs remote-gateway; never printed>";

/**
 * `clawbridge skill install`: copies the `remote-gateway` skill folder (from the package
 * of the `remote-gateway` bin on PATH, or `--bin`) into `./skills`, `--dir`, or with
 * `--global` OpenClaw's managed `<state-dir>/skills`; then prints WN1's exec-approvals
 * allowlist entry for exactly the verbs and remotes in use, and the names of the env
 * vars the remotes' secrets come from. Everything is validated before a file is written.
 */
export function skillInstall(flags: SkillInstallFlags): Promise<ExitCode> {
  return runCommand("Skill install failed", flags.json === true, async ({ output }) => {
    const env = process.env;
    if (flags.dir !== undefined && flags.global === true) throw usageError("CONFLICTING_OPTIONS", "Use either --dir or --global, not both.");
    const bin = await locateBin(flags.bin, env);
    if (bin === undefined) throw binNotFound(flags.bin);
    const skill = await loadSkillPackage(bin);
    const remotes = await selectRemotes(flags.remote, env);
    const skillRemotes: SkillRemote[] = remotes.map(({ id, profile }) => ({ id, ...effectiveSkillPolicy(profile.skill), scopes: profile.scopes }));
    const skillsDir = flags.global === true ? join(openclawStateDir(env), "skills") : resolve(flags.dir ?? "skills");

    const installed = await skill.installSkillFolder(skillsDir);
    const entry = skill.buildAllowlistEntry(bin.realPath, skillRemotes);
    const envNames = secretEnvNames(remotes);
    const skillsEntry = { skills: { entries: { [skill.SKILL_NAME]: { env: Object.fromEntries(envNames.map((name) => [name, ENV_PLACEHOLDER])) } } } };
    const result = {
      ok: true,
      skill: { name: skill.SKILL_NAME, version: skill.SKILL_VERSION, installedTo: installed.path, replaced: installed.replaced },
      createdDirs: [...(installed.createdDirs ?? [])],
      bin: bin.realPath,
      remotes: remotes.map(({ id }) => id),
      verbs: skill.verbsInUse(skillRemotes),
      excludedVerbs: skill.verbsBeyondCeiling?.(skillRemotes) ?? [],
      allowlistEntry: entry,
      env: { names: envNames, skillsEntry },
      configDir: resolveConfigDir({ env }),
    };
    if (output.json) {
      output.document(result);
      return;
    }
    // Never build a (mistyped) path silently: name every directory created.
    if (result.createdDirs.length > 1) output.warn(`created directories that did not exist: ${result.createdDirs.join(", ")}`);
    else if (result.createdDirs.length === 1) output.info(`Created ${result.createdDirs[0] ?? ""}`);
    output.info(`${installed.replaced ? "Replaced" : "Installed"} the ${skill.SKILL_NAME} skill ${skill.SKILL_VERSION} in ${installed.path}`);
    if (remotes.length === 0) output.warn("no remote profiles: the allowlist entry only permits `remote-gateway remotes` (add one with clawbridge remote add)");
    for (const excluded of result.excludedVerbs) {
      output.warn(`${excluded.verb} left out for remote ${excluded.remote}: its scope ceiling lacks ${excluded.missingScopes.join(", ")} (add it to the profile's scopes to allow it)`);
    }
    output.line("# exec-approvals allowlist entry for the worker node (agents.<agentId>.allowlist[] of the node's approvals):");
    output.line(JSON.stringify(entry));
    output.line("");
    if (envNames.length === 0) {
      output.line("# no environment variables needed: these remotes' secrets come from files, commands or stored device tokens");
    } else {
      output.line("# openclaw.json skills.entries (names only; values are never printed, set them on the host that runs remote-gateway):");
      output.line(JSON.stringify(skillsEntry));
    }
    output.line(`# remote profiles are read from ${result.configDir} (set CLAWBRIDGE_CONFIG_DIR for the node service if that differs)`);
  });
}

/** One remote's doctor result. */
interface RemoteCheck {
  readonly id: string;
  readonly ok: boolean;
  readonly url?: string | undefined;
  readonly secret?: { token: SecretSourceSummary | null; password: SecretSourceSummary | null } | undefined;
  /** How far it got: `profile`, `secret`, `connect`, or `done`. */
  readonly stage: "profile" | "secret" | "connect" | "done";
  readonly role?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  readonly connectMs?: number | undefined;
  readonly rttMs?: number | undefined;
  readonly exitCode: ExitCode;
  readonly error?: ErrorBody | undefined;
}

function ms(value: number): number {
  return Math.round(value * 10) / 10;
}

async function checkRemote(id: string, flags: SkillDoctorFlags, output: Output): Promise<RemoteCheck> {
  const context: { -readonly [K in keyof ErrorContext]: ErrorContext[K] } = { remoteId: id };
  let stage: RemoteCheck["stage"] = "profile";
  let partial: Partial<RemoteCheck> = {};
  try {
    const summary = summarizeRemote(id, await new RemoteStore({ env: process.env }).get(id));
    partial = { url: summary.url, secret: { token: summary.token ?? null, password: summary.password ?? null } };
    stage = "secret";
    const connection = await resolveConnection({
      flags: { remote: id, timeout: flags.timeout },
      secrets: { token: undefined, password: undefined, stdinClaims: [] },
      stdinText: undefined,
      output,
      defaultTimeoutMs: 10_000,
    });
    context.target = connection.target;
    await requireCredentials(connection, "health");
    stage = "connect";
    const session = await openSession(connection, { scopes: [OperatorScopes.READ] });
    try {
      const started = performance.now();
      await session.client.call("health", {}, { timeoutMs: connection.timeoutMs });
      return {
        id,
        ok: true,
        ...partial,
        stage: "done",
        role: session.hello.auth.role,
        scopes: session.hello.auth.scopes,
        connectMs: ms(session.connectMs),
        rttMs: ms(performance.now() - started),
        exitCode: ExitCodes.OK,
      };
    } finally {
      await session.client.close();
    }
  } catch (error) {
    const report = reportError(output.redactor.scrubError(error), context);
    return { id, ok: false, ...partial, stage, exitCode: report.exitCode, error: report.body };
  }
}

/** Installed copies of the skill in the default roots, and whether they match the package's. */
async function installedCopies(skill: SkillPackage | undefined, env: NodeJS.ProcessEnv): Promise<Array<{ path: string; current: boolean | null }>> {
  const name = skill?.SKILL_NAME ?? BIN_NAME;
  const packaged = skill === undefined ? undefined : await readFile(join(skill.skillSourceDir(), "SKILL.md"), "utf8").catch(() => undefined);
  const copies: Array<{ path: string; current: boolean | null }> = [];
  for (const root of [resolve("skills"), join(openclawStateDir(env), "skills")]) {
    const file = join(root, name, "SKILL.md");
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) copies.push({ path: dirname(file), current: packaged === undefined ? null : text === packaged });
  }
  return copies;
}

/**
 * `clawbridge skill doctor`: checks that `remote-gateway` resolves on PATH (or `--bin`),
 * where the skill is installed, and for each remote (`--remote`, else every profile) that
 * its secret resolves (never printed: only its source) and that it connects (role,
 * scopes, connect time, `health` round trip). Exits with the first failing check's exit
 * code (2 for a missing bin or no remotes), 0 when everything passed.
 */
export function skillDoctor(flags: SkillDoctorFlags): Promise<ExitCode> {
  return runCommand("Skill doctor failed", flags.json === true, async ({ output }) => {
    const env = process.env;
    const bin = await locateBin(flags.bin, env);
    let skill: SkillPackage | undefined;
    let packageProblem: string | undefined;
    if (bin !== undefined) {
      try {
        skill = await loadSkillPackage(bin);
      } catch (error) {
        packageProblem = (error as Error).message;
      }
    }
    const copies = await installedCopies(skill, env);
    const ids = flags.remote !== undefined && flags.remote.length > 0 ? [...new Set(flags.remote)] : (await new RemoteStore({ env }).list()).map((remote) => remote.id);
    const remotes: RemoteCheck[] = [];
    for (const id of ids) remotes.push(await checkRemote(id, flags, output));

    const codes: ExitCode[] = [];
    if (bin === undefined) codes.push(ExitCodes.USAGE);
    if (ids.length === 0) codes.push(ExitCodes.USAGE);
    for (const remote of remotes) if (!remote.ok) codes.push(remote.exitCode);
    const exitCode = codes[0] ?? ExitCodes.OK;
    const result = {
      ok: exitCode === ExitCodes.OK,
      bin: bin === undefined ? { ok: false, path: null, realPath: null } : { ok: true, path: bin.path, realPath: bin.realPath },
      skill: { version: skill?.SKILL_VERSION ?? null, problem: packageProblem ?? null, installed: copies },
      remotes,
    };
    if (output.json) {
      output.document(result);
      return exitCode;
    }
    const mark = (ok: boolean | null): string => (ok === true ? output.out.ok("ok  ") : ok === false ? output.out.error("FAIL") : output.out.warn("warn"));
    output.line(
      bin === undefined
        ? `${mark(false)} ${BIN_NAME}: not found ${flags.bin === undefined ? "on PATH" : `at ${flags.bin}`} (npm install --global ${SKILL_PACKAGE})`
        : `${mark(true)} ${BIN_NAME}: ${bin.path}${bin.realPath === bin.path ? "" : ` -> ${bin.realPath}`}${skill === undefined ? "" : ` (${skill.SKILL_VERSION})`}`,
    );
    if (packageProblem !== undefined) output.line(`${mark(null)} skill package: ${packageProblem}`);
    if (copies.length === 0) output.line(`${mark(null)} skill: not installed in ./skills or ${join(openclawStateDir(env), "skills")} (run: clawbridge skill install)`);
    for (const copy of copies) output.line(`${mark(copy.current === false ? null : true)} skill: ${copy.path}${copy.current === false ? " (differs from the package's; reinstall)" : ""}`);
    if (ids.length === 0) output.line(`${mark(false)} remotes: none defined (clawbridge remote add <id> --url … --token-env <VAR>)`);
    for (const remote of remotes) {
      const source = remote.secret?.token ?? remote.secret?.password ?? null;
      const secret = source === null ? "no secret source" : `secret from ${source.kind} ${source.name}`;
      output.line(
        remote.ok
          ? `${mark(true)} remote ${remote.id}: ${remote.url ?? ""} ${secret}; ${remote.role ?? "?"} [${(remote.scopes ?? []).join(", ")}] connect ${remote.connectMs ?? "?"} ms, rtt ${remote.rttMs ?? "?"} ms`
          : `${mark(false)} remote ${remote.id}: ${remote.stage} failed: ${remote.error?.message ?? "?"} (exit ${remote.exitCode})`,
      );
    }
    return exitCode;
  });
}
