import { accessSync, constants, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { SKILL_VERSION } from "../src/version.js";
import { assertBuilt, SKILL_BIN } from "./helpers/bins.js";

const root = resolve(import.meta.dirname, "..");
const packageJson = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")) as {
  version: string;
  bin: Record<string, string>;
  exports: Record<string, { default?: string } | string>;
  dependencies?: Record<string, string>;
};

describe("@clawbridge/skill package", () => {
  it("keeps SKILL_VERSION in step with package.json", () => {
    expect(SKILL_VERSION).toBe(packageJson.version);
  });

  it("ships bin remote-gateway as one executable, extensionless file with a node shebang", () => {
    assertBuilt();
    expect(resolve(root, packageJson.bin["remote-gateway"] ?? "")).toBe(SKILL_BIN);
    expect(() => accessSync(SKILL_BIN, constants.X_OK)).not.toThrow();
    expect(readFileSync(SKILL_BIN, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
    // Self-contained bundle: no runtime dependency to install next to it.
    expect(packageJson.dependencies).toBeUndefined();
  });

  it("exports the installer API clawbridge skill install loads at run time (API 1)", async () => {
    const entry = packageJson.exports["."];
    const file = resolve(root, typeof entry === "string" ? entry : (entry?.default ?? ""));
    const api = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    expect(api["SKILL_PACKAGE_API"]).toBe(1);
    expect(api["SKILL_NAME"]).toBe("remote-gateway");
    for (const name of ["skillSourceDir", "installSkillFolder", "buildAllowlistEntry", "verbsInUse"]) expect(typeof api[name], name).toBe("function");
    expect((api["skillSourceDir"] as () => string)()).toBe(resolve(root, "skill", "remote-gateway"));
  });
});
