import { stat } from "node:fs/promises";
import { join } from "node:path";
import { formatValidationIssues } from "@clawbridge/rpc-core";
import { resolveConfigDir } from "./config-dir.js";
import type { ConfigDirOptions } from "./config-dir.js";
import { RemoteProfileError } from "./errors.js";
import { passwordSourceOf, RemoteId, RemoteProfile, RemotesFile, secretSourceOfRef, tokenSourceOf } from "./remote-profile.js";
import { effectiveSkillPolicy } from "./remote-skill-policy.js";
import type { EffectiveSkillPolicy } from "./remote-skill-policy.js";
import { describeSecretSource } from "./secret-source.js";
import type { SecretSourceSummary } from "./secret-source.js";
import { readFileIfExists, writeFileAtomic } from "./secure-file.js";

/** File name of the profiles file inside the config dir. */
export const REMOTES_FILE_NAME = "remotes.json";

/**
 * A profile as `list`/`show` print it: everything but secrets. Secret sources appear
 * as kind + name (env var, file path, or a command's program), never their values.
 */
export interface RemoteSummary {
  readonly id: string;
  readonly url: string;
  readonly description: string | undefined;
  readonly token: SecretSourceSummary | undefined;
  readonly password: SecretSourceSummary | undefined;
  /** Upgrade-request headers: name → the source of its value. */
  readonly headers: Readonly<Record<string, SecretSourceSummary>> | undefined;
  readonly tlsFingerprint: string | undefined;
  readonly caFile: string | undefined;
  /** The scope ceiling. */
  readonly scopes: readonly string[] | undefined;
  readonly allowInsecurePlaintext: boolean;
  readonly device: "auto" | "always" | "never";
  readonly timeoutMs: number | undefined;
  /** What the `remote-gateway` skill may do here (defaults applied). */
  readonly skill: EffectiveSkillPolicy;
}

/** The printable summary of one profile. */
export function summarizeRemote(id: string, profile: RemoteProfile): RemoteSummary {
  const token = tokenSourceOf(profile.auth);
  const password = passwordSourceOf(profile.auth);
  return {
    id,
    url: profile.url,
    description: profile.description,
    token: token === undefined ? undefined : describeSecretSource(token),
    password: password === undefined ? undefined : describeSecretSource(password),
    headers:
      profile.headers === undefined
        ? undefined
        : Object.fromEntries(Object.entries(profile.headers).map(([name, ref]) => [name, describeSecretSource(secretSourceOfRef(ref))])),
    tlsFingerprint: profile.tlsFingerprint,
    caFile: profile.caFile,
    scopes: profile.scopes,
    allowInsecurePlaintext: profile.allowInsecurePlaintext ?? false,
    device: profile.device ?? "auto",
    timeoutMs: profile.timeoutMs,
    skill: effectiveSkillPolicy(profile.skill),
  };
}

/**
 * CRUD over `<configDir>/remotes.json` (validated with zod on every read and write;
 * written atomically with mode 0600). A `remotes.json` that group or others can write
 * is refused: its `tokenCommand`s run as this user.
 */
export class RemoteStore {
  /** The config dir. */
  readonly configDir: string;
  /** Full path of `remotes.json`. */
  readonly path: string;

  constructor(options: ConfigDirOptions = {}) {
    this.configDir = resolveConfigDir(options);
    this.path = join(this.configDir, REMOTES_FILE_NAME);
  }

  /** The whole validated file (empty when it does not exist). */
  async load(): Promise<RemotesFile> {
    const text = await readFileIfExists(this.path);
    if (text === undefined) return { version: 1, remotes: {} };
    if (process.platform !== "win32") {
      const mode = (await stat(this.path)).mode & 0o777;
      if ((mode & 0o022) !== 0) {
        throw new RemoteProfileError(
          "INVALID_REMOTES_FILE",
          `${this.path} is writable by group or others (mode ${mode.toString(8).padStart(4, "0")}); run: chmod 600 ${this.path}`,
        );
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new RemoteProfileError("INVALID_REMOTES_FILE", `${this.path} is not valid JSON`);
    }
    const parsed = RemotesFile.safeParse(json);
    if (!parsed.success) {
      throw new RemoteProfileError(
        "INVALID_REMOTES_FILE",
        `${this.path} is invalid: ${formatValidationIssues(parsed.error.issues, json)}`,
      );
    }
    return parsed.data;
  }

  async #save(file: RemotesFile): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }

  /** All profiles, sorted by id, as printable summaries. */
  async list(): Promise<RemoteSummary[]> {
    const file = await this.load();
    return Object.entries(file.remotes)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, profile]) => summarizeRemote(id, profile));
  }

  /** One profile (raw, with its secret *sources*); throws `UNKNOWN_REMOTE`. */
  async get(id: string): Promise<RemoteProfile> {
    const file = await this.load();
    const profile = Object.hasOwn(file.remotes, id) ? file.remotes[id] : undefined;
    if (profile === undefined) {
      const known = Object.keys(file.remotes).sort();
      throw new RemoteProfileError(
        "UNKNOWN_REMOTE",
        `unknown remote ${JSON.stringify(id)}${known.length > 0 ? ` (known: ${known.join(", ")})` : ` (none defined in ${this.path})`}`,
      );
    }
    return profile;
  }

  /** One profile's printable summary; throws `UNKNOWN_REMOTE`. */
  async show(id: string): Promise<RemoteSummary> {
    return summarizeRemote(id, await this.get(id));
  }

  /**
   * Adds (or with `replace`, replaces) a profile after validating it. Throws
   * `INVALID_REMOTE` for a bad id or profile, `REMOTE_EXISTS` without `replace` or when
   * the id differs from another only in case.
   */
  async add(id: string, profile: RemoteProfile, options: { replace?: boolean } = {}): Promise<RemoteSummary> {
    const validId = RemoteId.safeParse(id);
    if (!validId.success) throw new RemoteProfileError("INVALID_REMOTE", `invalid remote id ${JSON.stringify(id)}: ${validId.error.issues[0]?.message ?? "invalid"}`);
    const validProfile = RemoteProfile.safeParse(profile);
    if (!validProfile.success) {
      throw new RemoteProfileError(
        "INVALID_REMOTE",
        `invalid remote ${id}: ${formatValidationIssues(validProfile.error.issues, profile)}`,
      );
    }
    const file = await this.load();
    if (Object.hasOwn(file.remotes, id) && options.replace !== true) {
      throw new RemoteProfileError("REMOTE_EXISTS", `remote ${id} already exists (replace it explicitly)`);
    }
    const twin = Object.keys(file.remotes).find((other) => other !== id && other.toLowerCase() === id.toLowerCase());
    if (twin !== undefined) {
      // Each remote keeps its device identity in a folder named after its id.
      throw new RemoteProfileError(
        "REMOTE_EXISTS",
        `remote ${id} differs from remote ${twin} only in case; their device state would share a folder on a case-insensitive file system`,
      );
    }
    file.remotes[id] = validProfile.data;
    await this.#save(file);
    return summarizeRemote(id, validProfile.data);
  }

  /** Removes a profile; resolves false when it did not exist. Stored device state is left in place. */
  async remove(id: string): Promise<boolean> {
    const file = await this.load();
    if (!Object.hasOwn(file.remotes, id)) return false;
    delete file.remotes[id];
    await this.#save(file);
    return true;
  }
}
