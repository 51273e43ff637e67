import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assertBuilt } from "./helpers/cli.js";

// What tools/bundle-bin.mjs promises about the files the bin reads on every run (the
// start-up budget of `gateway call`, README "Start-up"); mock-gateway-command.test.ts runs
// the command that loads the side bundle.
const bundleDir = resolve(import.meta.dirname, "../dist/bundle");
// A message of the mock gateway package: in its own bundle, never in the program's.
const MOCK_ONLY = "MockGateway is not started";

describe("the bin's bundles", () => {
  assertBuilt();
  const program = readFileSync(resolve(bundleDir, "clawbridge.cjs"), "latin1");
  const side = readFileSync(resolve(bundleDir, "clawbridge.mock-gateway.cjs"), "latin1");

  it("the program is one function expression, the CommonJS wrapper the launcher calls", () => {
    expect(program.startsWith("(function (exports, require, module, __filename, __dirname) {")).toBe(true);
    expect(program.trimEnd().endsWith("})")).toBe(true);
  });

  it("the mock gateway (and the server under it) is a side bundle the program requires only for that command", () => {
    expect(program).not.toContain(MOCK_ONLY);
    expect(side).toContain(MOCK_ONLY);
    expect(program).toContain('require("./clawbridge.mock-gateway.cjs")');
  });

  it("is ASCII and minified (every run reads all of it)", () => {
    // eslint-disable-next-line no-control-regex
    expect(/[^\x00-\x7f]/.test(program)).toBe(false);
    expect(program.length).toBeLessThan(450 * 1024);
  });
});
