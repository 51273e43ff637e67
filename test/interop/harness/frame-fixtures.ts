import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isObject } from "./raw-client.ts";

/** Folder of the captured real-gateway frame corpus (one frame object per `<name>.json`). */
export const REAL_FRAMES_DIR: string = resolve(import.meta.dirname, "..", "fixtures", "real-frames");

/** `true` when the corpus should be (re)written instead of compared: `CLAWBRIDGE_CAPTURE_FRAMES=1`. */
export function captureMode(): boolean {
  return process.env["CLAWBRIDGE_CAPTURE_FRAMES"] === "1";
}

/** Names (without `.json`) of all fixtures currently in {@link REAL_FRAMES_DIR}. */
export function listFrameFixtures(): string[] {
  if (!existsSync(REAL_FRAMES_DIR)) return [];
  return readdirSync(REAL_FRAMES_DIR)
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

/** Reads fixture `name`; throws (naming the capture command) if it does not exist. */
export function readFrameFixture(name: string): Record<string, unknown> {
  const path = join(REAL_FRAMES_DIR, `${name}.json`);
  if (!existsSync(path)) {
    throw new Error(`missing fixture ${path}; capture it with CLAWBRIDGE_CAPTURE_FRAMES=1 pnpm exec vitest run --config test/interop/vitest.config.ts frame-corpus`);
  }
  const parsed = JSON.parse(readFileSync(path, "utf8")) as unknown;
  if (!isObject(parsed)) throw new Error(`${path} does not hold a JSON object`);
  return parsed;
}

/** Writes `frame` as fixture `name` (pretty JSON, trailing newline). */
export function writeFrameFixture(name: string, frame: unknown): void {
  mkdirSync(REAL_FRAMES_DIR, { recursive: true });
  writeFileSync(join(REAL_FRAMES_DIR, `${name}.json`), `${JSON.stringify(frame, null, 2)}\n`);
}

/** Frames whose payload key set is stable enough to compare (others vary with timing/state). */
const STABLE_PAYLOAD_KEYS = new Set(["connect.challenge", "tick", "shutdown", "hello-ok"]);

/**
 * A timing-independent summary of a frame for comparing a fresh capture with the stored corpus:
 * envelope keys, type/event/ok, error code, message and details (minus volatile values), and the
 * payload key set for frames whose payload shape is stable.
 */
export function frameSignature(frame: Record<string, unknown>): Record<string, unknown> {
  const signature: Record<string, unknown> = { keys: Object.keys(frame).sort(), type: frame["type"] };
  if (typeof frame["event"] === "string") signature["event"] = frame["event"];
  if (typeof frame["ok"] === "boolean") signature["ok"] = frame["ok"];
  const error = isObject(frame["error"]) ? frame["error"] : undefined;
  if (error !== undefined) {
    signature["errorKeys"] = Object.keys(error).sort();
    signature["errorCode"] = error["code"];
    signature["message"] = error["message"];
    if (isObject(error["details"])) signature["details"] = error["details"];
  }
  const payload = isObject(frame["payload"]) ? frame["payload"] : undefined;
  const kind = typeof frame["event"] === "string" ? frame["event"] : payload?.["type"];
  if (payload !== undefined && typeof kind === "string" && STABLE_PAYLOAD_KEYS.has(kind)) {
    signature["payloadKeys"] = Object.keys(payload).sort();
    if (kind === "hello-ok") {
      signature["protocol"] = payload["protocol"];
      signature["auth"] = isObject(payload["auth"]) ? { ...payload["auth"], recoveryScope: typeof payload["auth"]["recoveryScope"] } : undefined;
      signature["policy"] = payload["policy"];
    }
  }
  return signature;
}
