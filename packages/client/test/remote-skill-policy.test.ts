import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { effectiveSkillPolicy, RemoteProfile, RemoteStore } from "../src/index.js";
import { tempConfigDir } from "./helpers/temp-config.js";

describe("remote profile skill section", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempConfigDir());
  });
  afterEach(async () => cleanup());

  it("is optional: a profile written before it existed still loads, with deny-by-default policy", async () => {
    await writeFile(
      join(dir, "remotes.json"),
      JSON.stringify({ version: 1, remotes: { gw2: { url: "ws://127.0.0.1:1", auth: { tokenEnv: "GW2_TOKEN" } } } }),
      { mode: 0o600 },
    );
    const store = new RemoteStore({ configDir: dir });
    expect((await store.get("gw2")).skill).toBeUndefined();
    expect((await store.show("gw2")).skill).toEqual({ allowInvoke: [], allowCall: false });
  });

  it("round-trips allowInvoke and allowCall through the store and the summary", async () => {
    const store = new RemoteStore({ configDir: dir });
    await store.add("gw2", { url: "ws://127.0.0.1:1", skill: { allowInvoke: ["canvas.snapshot", "camera.list"], allowCall: true } });
    expect((await store.get("gw2")).skill).toEqual({ allowInvoke: ["canvas.snapshot", "camera.list"], allowCall: true });
    expect((await store.show("gw2")).skill).toEqual({ allowInvoke: ["canvas.snapshot", "camera.list"], allowCall: true });
  });

  it("rejects unknown keys, duplicate or non-name commands (they end up in an exec argPattern)", () => {
    const bad: unknown[] = [
      { url: "ws://127.0.0.1:1", skill: { allowInvoke: ["system.run", "system.run"] } },
      { url: "ws://127.0.0.1:1", skill: { allowInvoke: ["canvas snapshot"] } },
      { url: "ws://127.0.0.1:1", skill: { allowInvoke: [".*"] } },
      { url: "ws://127.0.0.1:1", skill: { allowInvoke: ["a|b"] } },
      { url: "ws://127.0.0.1:1", skill: { allowCall: "yes" } },
      { url: "ws://127.0.0.1:1", skill: { allowEverything: true } },
    ];
    for (const profile of bad) expect(RemoteProfile.safeParse(profile).success, JSON.stringify(profile)).toBe(false);
    expect(RemoteProfile.safeParse({ url: "ws://127.0.0.1:1", skill: {} }).success).toBe(true);
  });

  it("applies defaults", () => {
    expect(effectiveSkillPolicy(undefined)).toEqual({ allowInvoke: [], allowCall: false });
    expect(effectiveSkillPolicy({ allowCall: true })).toEqual({ allowInvoke: [], allowCall: true });
  });
});
