import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CLIENT_VERSION } from "../src/index.js";

describe("package metadata", () => {
  it("reports this package's version in connect.params.client.version", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(CLIENT_VERSION).toBe(pkg.version);
  });
});
