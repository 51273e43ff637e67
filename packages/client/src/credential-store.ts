import { createHash, randomBytes } from "node:crypto";
import { link, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { lazySchema } from "@clawbridge/protocol";
import * as z from "zod";
import {
  generateDeviceIdentity,
  parseDeviceIdentity,
  serializeDeviceIdentity,
} from "./device-identity.js";
import type { DeviceIdentity } from "./device-identity.js";
import { chmodPrivate, ensurePrivateDir, readFileIfExists, removeFile, SECRET_FILE_MODE, writeFileAtomic } from "./secure-file.js";

/** A device token the gateway issued in `hello-ok.auth`, as stored for reuse. */
export interface StoredDeviceToken {
  /** The token (secret). */
  readonly token: string;
  /** Role it was issued for. */
  readonly role: string;
  /** Scopes it was issued with (`hello-ok.auth.scopes`). */
  readonly scopes: readonly string[];
  /** `hello-ok.auth.issuedAtMs` when given (ms since epoch). */
  readonly issuedAtMs: number | undefined;
}

const TokenFile = lazySchema(() =>
  z.object({
    version: z.literal(1),
    /** The identity these tokens belong to; tokens of another identity are ignored. */
    deviceId: z.string(),
    tokens: z.record(
      z.string(),
      z.object({
        token: z.string().min(1),
        scopes: z.array(z.string()),
        issuedAtMs: z.int().min(0).optional(),
        savedAtMs: z.int().min(0),
      }),
    ),
  }),
);
type TokenFile = z.infer<typeof TokenFile>;

const SLOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Store slot of a named remote profile: `remote-<id>`. */
export function storeSlotForRemote(remoteId: string): string {
  const slot = `remote-${remoteId}`;
  if (!SLOT_NAME.test(slot)) throw new Error(`invalid remote id for a credential slot: ${JSON.stringify(remoteId)}`);
  return slot;
}

/**
 * Store slot of an ad-hoc URL: `url-<host>-<port>-<hash>`, keyed by the normalised
 * origin and path so a device token is only ever offered to the gateway that issued it.
 */
export function storeSlotForUrl(url: string | URL): string {
  const parsed = new URL(url);
  const port = parsed.port || (parsed.protocol === "wss:" ? "443" : "80");
  const key = `${parsed.protocol}//${parsed.hostname.toLowerCase()}:${port}${parsed.pathname}`;
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 12);
  const host = parsed.hostname.toLowerCase().replace(/[^a-z0-9.-]/g, "_").slice(0, 64);
  return `url-${host}-${port}-${hash}`;
}

/**
 * Per-remote device state under `<configDir>/devices/<slot>/`: the Ed25519 identity
 * (`identity.json`) and issued device tokens by role (`device-tokens.json`). Files are
 * mode 0600, directories 0700, writes atomic (temp + rename). Secrets in here are
 * never logged.
 */
export class CredentialStore {
  /** The slot directory. */
  readonly directory: string;
  readonly #identityPath: string;
  readonly #tokensPath: string;

  /**
   * @param configDir - root config dir (see `resolveConfigDir`)
   * @param slot - per-remote slot name ({@link storeSlotForRemote} / {@link storeSlotForUrl})
   */
  constructor(configDir: string, slot: string) {
    if (!SLOT_NAME.test(slot)) throw new Error(`invalid credential slot name: ${JSON.stringify(slot)}`);
    this.directory = join(configDir, "devices", slot);
    this.#identityPath = join(this.directory, "identity.json");
    this.#tokensPath = join(this.directory, "device-tokens.json");
  }

  /** The stored identity, or undefined when none exists yet. */
  async loadIdentity(): Promise<DeviceIdentity | undefined> {
    const text = await readFileIfExists(this.#identityPath);
    return text === undefined ? undefined : parseDeviceIdentity(text);
  }

  /**
   * The stored identity, creating and persisting one if absent. Creation is race-free
   * across processes: the new file is hard-linked into place (fails if another process
   * won), and the winner's identity is returned.
   */
  async loadOrCreateIdentity(): Promise<DeviceIdentity> {
    const existing = await this.loadIdentity();
    if (existing !== undefined) return existing;
    await ensurePrivateDir(this.directory);
    const identity = generateDeviceIdentity();
    const temp = join(this.directory, `.identity.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", SECRET_FILE_MODE);
    try {
      await handle.writeFile(serializeDeviceIdentity(identity), "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await chmodPrivate(temp);
      await link(temp, this.#identityPath);
      return identity;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const winner = await this.loadIdentity();
      if (winner === undefined) throw error;
      return winner;
    } finally {
      await rm(temp, { force: true });
    }
  }

  async #readTokens(): Promise<TokenFile | undefined> {
    const text = await readFileIfExists(this.#tokensPath);
    if (text === undefined) return undefined;
    const parsed = TokenFile.safeParse(safeJson(text));
    // A corrupt token file is treated as empty: the worst case is one re-pairing.
    return parsed.success ? parsed.data : undefined;
  }

  /** The device token stored for `role` and this identity, if any. */
  async loadDeviceToken(deviceId: string, role: string): Promise<StoredDeviceToken | undefined> {
    const file = await this.#readTokens();
    if (file === undefined || file.deviceId !== deviceId) return undefined;
    const entry = Object.hasOwn(file.tokens, role) ? file.tokens[role] : undefined;
    if (entry === undefined) return undefined;
    return { token: entry.token, role, scopes: entry.scopes, issuedAtMs: entry.issuedAtMs };
  }

  /** Stores (replaces) the device token for `role`. */
  async saveDeviceToken(deviceId: string, token: StoredDeviceToken): Promise<void> {
    const current = await this.#readTokens();
    const tokens = current !== undefined && current.deviceId === deviceId ? { ...current.tokens } : {};
    tokens[token.role] = {
      token: token.token,
      scopes: [...token.scopes],
      ...(token.issuedAtMs === undefined ? {} : { issuedAtMs: token.issuedAtMs }),
      savedAtMs: Date.now(),
    };
    const file: TokenFile = { version: 1, deviceId, tokens };
    await writeFileAtomic(this.#tokensPath, `${JSON.stringify(file, null, 2)}\n`);
  }

  /** Forgets the device token for `role` (e.g. after `AUTH_DEVICE_TOKEN_MISMATCH`). */
  async clearDeviceToken(deviceId: string, role: string): Promise<void> {
    const current = await this.#readTokens();
    if (current === undefined || current.deviceId !== deviceId || !Object.hasOwn(current.tokens, role)) return;
    const tokens = { ...current.tokens };
    delete tokens[role];
    if (Object.keys(tokens).length === 0) {
      await removeFile(this.#tokensPath);
      return;
    }
    await writeFileAtomic(this.#tokensPath, `${JSON.stringify({ ...current, tokens }, null, 2)}\n`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
