import { describe, expect, it } from "vitest";
import { entryMatches, resolveExecutable } from "@clawbridge/mock-gateway";
import { escapeRegex, relayAllowlistEntry, seedAllowlistEntry } from "../src/allowlist-entries.js";

const BIN = "/opt/clawbridge/apps/cli/dist/bin/clawbridge";

function allows(entry: { pattern: string; argPattern?: string | undefined }, argv: string[]): boolean {
  const [program, ...args] = argv as [string, ...string[]];
  return entryMatches(entry, resolveExecutable(program, "/", "/usr/bin"), args);
}

describe("WN1's allowlist entries", () => {
  it("seed: gateway call <method> --remote gw2 [--timeout ms] --json, nothing else", () => {
    const entry = seedAllowlistEntry(BIN);
    expect(allows(entry, [BIN, "gateway", "call", "node.list", "--remote", "gw2", "--json"])).toBe(true);
    expect(allows(entry, [BIN, "gateway", "call", "last-heartbeat", "--remote", "gw2", "--timeout", "500", "--json"])).toBe(true);
    for (const argv of [
      [BIN, "gateway", "call", "node.list", "--remote", "gw3", "--json"],
      [BIN, "gateway", "call", "node.list", "--remote", "gw2"],
      [BIN, "gateway", "call", "node.list", "--url", "ws://x", "--token", "t", "--json"],
      [BIN, "gateway", "call", "node.list", "--remote", "gw2", "--params", "{}", "--json"],
      [BIN, "remote", "show", "gw2", "--json"],
      ["/usr/bin/node", BIN, "gateway", "call", "node.list", "--remote", "gw2", "--json"],
      ["/tmp/clawbridge.mjs", "gateway", "call", "node.list", "--remote", "gw2", "--json"],
    ]) {
      expect(allows(entry, argv), argv.join(" ")).toBe(false);
    }
  });

  it("relay: only that relay URL and that token file", () => {
    const entry = relayAllowlistEntry(BIN, "ws://127.0.0.1:8787/gw/gw2", "/home/wn1/.config/clawbridge/secrets/relay.token");
    expect(allows(entry, [BIN, "gateway", "call", "node.list", "--url", "ws://127.0.0.1:8787/gw/gw2", "--token-file", "/home/wn1/.config/clawbridge/secrets/relay.token", "--json"])).toBe(true);
    expect(allows(entry, [BIN, "gateway", "call", "node.list", "--url", "ws://127.0.0.1:8787/gw/gw3", "--token-file", "/home/wn1/.config/clawbridge/secrets/relay.token", "--json"])).toBe(false);
    // "." in the URL is literal: 127x0x0x1 must not match.
    expect(allows(entry, [BIN, "gateway", "call", "node.list", "--url", "ws://127x0x0x1:8787/gw/gw2", "--token-file", "/home/wn1/.config/clawbridge/secrets/relay.token", "--json"])).toBe(false);
    expect(allows(entry, [BIN, "gateway", "call", "node.list", "--url", "ws://127.0.0.1:8787/gw/gw2", "--token-file", "/etc/shadow", "--json"])).toBe(false);
  });

  it("escapeRegex output is valid with and without the u flag and matches the text literally", () => {
    const text = "a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o/p-q";
    for (const flags of ["", "u"]) expect(new RegExp(`^${escapeRegex(text)}$`, flags).test(text)).toBe(true);
  });
});
