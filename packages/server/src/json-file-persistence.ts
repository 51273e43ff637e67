import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { PairingPersistence, PairingSnapshot } from "./pairing-store.js";

/**
 * Persists a {@link PairingStore} as one JSON file (mode 0600, written atomically via a
 * temp file + rename). A missing or unreadable file starts empty: device tokens are
 * secrets, so a corrupt file is never half-trusted.
 *
 * @param path - the JSON file
 */
export function jsonFilePersistence(path: string): PairingPersistence {
  return {
    load(): PairingSnapshot | undefined {
      let text: string;
      try {
        text = readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
      try {
        const parsed = JSON.parse(text) as Partial<PairingSnapshot>;
        if (parsed.version !== 1 || !Array.isArray(parsed.pending) || !Array.isArray(parsed.paired)) return undefined;
        return { version: 1, pending: parsed.pending, paired: parsed.paired };
      } catch {
        return undefined;
      }
    },
    save(snapshot: PairingSnapshot): void {
      mkdirSync(dirname(path), { recursive: true });
      const temp = `${path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, path);
    },
  };
}
