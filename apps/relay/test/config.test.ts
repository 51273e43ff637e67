import { existsSync } from "node:fs";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import { configWarnings } from "../src/config/config-warnings.js";
import { formatIssue, loadConfig, parseConfigText } from "../src/config/load-config.js";
import type { RelayConfig } from "../src/config/relay-config.js";
import { ClientPolicy } from "../src/policy/client-policy.js";
import { hashToken } from "../src/policy/policy-set.js";
import { tempDir, writeSecret } from "./helpers/harness.js";

const HASH = "a".repeat(64);

/** A valid config; tests break one line of it. */
const VALID = `listen: { host: 127.0.0.1, port: 0 }
upstreams:
  gw2:
    url: ws://10.0.0.2:18789
    token: { file: gw2.token }
clients:
  wn1:
    tokenSha256: ${HASH}
    upstreams: [gw2]
    allow: [health, "node.*"]
    rateLimit: { perMinute: 600 }
`;

function issuesOf(text: string): string[] {
  const result = parseConfigText(text, "relay.yaml");
  if (result.ok) throw new Error("expected the config to be invalid");
  return result.issues.map(formatIssue);
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join("") };
}

describe("config loading", () => {
  it("accepts the documented shape and applies defaults", () => {
    const result = parseConfigText(VALID, "relay.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { config } = result.loaded;
    expect(config.admin).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(config.limits.upstreamTimeoutMs).toBe(60_000);
    expect(config.upstreams["gw2"]?.device).toBe("always");
    expect(config.clients["wn1"]?.deny).toEqual([]);
  });

  it("validates the shipped relay.example.yaml", async () => {
    const result = await loadConfig(join(import.meta.dirname, "..", "relay.example.yaml"));
    expect(result.ok ? "ok" : result.issues.map(formatIssue)).toBe("ok");
  });

  it("takes maxConnections per client and in defaults: a positive integer at its line, unset = unlimited, the client's own wins", () => {
    expect(issuesOf(VALID.replace("    rateLimit: { perMinute: 600 }\n", "    maxConnections: 0\n"))).toEqual([
      "relay.yaml:11:21: clients.wn1.maxConnections: Too small: expected number to be >0",
    ]);
    expect(issuesOf(`defaults: { maxConnections: 1.5 }\n${VALID}`)[0]).toMatch(/^relay\.yaml:1:29: defaults\.maxConnections: /);
    const limitsOf = (text: string): number | undefined => {
      const result = parseConfigText(text, "relay.yaml");
      if (!result.ok) throw new Error(result.issues.map(formatIssue).join("; "));
      const { config } = result.loaded;
      return new ClientPolicy("wn1", config.clients["wn1"] as RelayConfig["clients"][string], config.defaults).limits.maxConnections;
    };
    expect(limitsOf(VALID)).toBeUndefined();
    expect(limitsOf(`defaults: { maxConnections: 8 }\n${VALID}`)).toBe(8);
    expect(limitsOf(`defaults: { maxConnections: 8 }\n${VALID}    maxConnections: 2\n`)).toBe(2);
  });

  it("points a wrong type at the value's line and column", () => {
    const text = VALID.replace("allow: [health, \"node.*\"]", "allow: [health, 42]");
    expect(issuesOf(text)).toEqual(["relay.yaml:10:21: clients.wn1.allow[1]: Invalid input: expected string, received number"]);
  });

  it("points an unknown key at the key itself", () => {
    const text = VALID.replace("    rateLimit: { perMinute: 600 }", "    rateLimt: { perMinute: 600 }");
    expect(issuesOf(text)).toEqual([expect.stringMatching(/^relay\.yaml:11:5: clients\.wn1\.rateLimt: Unrecognized key/)]);
  });

  it("points cross-references and missing settings at the right line", () => {
    const unknown = VALID.replace("    upstreams: [gw2]", "    upstreams: [gw9]");
    expect(issuesOf(unknown)).toEqual(['relay.yaml:9:17: clients.wn1.upstreams[0]: unknown upstream "gw9"']);
    const noCredential = VALID.replace(`    tokenSha256: ${HASH}\n`, "");
    expect(issuesOf(noCredential)).toEqual(["relay.yaml:7:3: clients.wn1: set tokenSha256 or devices (how this client authenticates)"]);
    const badHash = VALID.replace(HASH, "abc");
    expect(issuesOf(badHash)[0]).toMatch(/^relay\.yaml:8:18: clients\.wn1\.tokenSha256: must be 64 hex characters/);
  });

  it("refuses inline secrets and bad pins, at their line", () => {
    const inline = VALID.replace("token: { file: gw2.token }", "token: s3cret-token");
    const issues = issuesOf(inline);
    expect(issues).toEqual([expect.stringMatching(/^relay\.yaml:5:12: upstreams\.gw2\.token: expected \{file: <path>\}.*inline secrets are not allowed$/)]);
    expect(issues.join("")).not.toContain("s3cret-token");
    const pin = VALID.replace("url: ws://10.0.0.2:18789", "url: wss://10.0.0.2:18789\n    tlsFingerprint: nope");
    expect(issuesOf(pin)).toEqual([expect.stringMatching(/^relay\.yaml:5:21: upstreams\.gw2\.tlsFingerprint: must be a SHA-256 fingerprint/)]);
  });

  it("takes upstream headers as secret references and refuses inline values and handshake headers", () => {
    const withHeaders = (lines: string): string =>
      VALID.replace("url: ws://10.0.0.2:18789", "url: wss://gw2.example:18789").replace("    token: { file: gw2.token }\n", `    token: { file: gw2.token }\n    headers:\n${lines}`);
    const ok = parseConfigText(withHeaders("      CF-Access-Client-Id: { env: CF_ID }\n      CF-Access-Client-Secret: { file: cf.secret }\n"), "relay.yaml");
    expect(ok.ok && ok.loaded.config.upstreams["gw2"]?.headers).toEqual({ "CF-Access-Client-Id": { env: "CF_ID" }, "CF-Access-Client-Secret": { file: "cf.secret" } });
    const inline = issuesOf(withHeaders("      X-Edge-Auth: s3cret-header\n"));
    expect(inline).toEqual([expect.stringMatching(/^relay\.yaml:7:20: upstreams\.gw2\.headers\.X-Edge-Auth: expected \{file: <path>\}.*inline secrets are not allowed$/)]);
    expect(inline.join("")).not.toContain("s3cret-header");
    expect(issuesOf(withHeaders("      Sec-WebSocket-Protocol: { env: P }\n"))).toEqual([
      expect.stringMatching(/^relay\.yaml:7:7: upstreams\.gw2\.headers\.Sec-WebSocket-Protocol: .*set by the WebSocket handshake itself/),
    ]);
    expect(issuesOf(withHeaders('      "Bad Name": { env: P }\n'))).toEqual([expect.stringMatching(/upstreams\.gw2\.headers\.Bad Name: .*must be an HTTP header name/)]);
  });

  it("refuses requireClientCert: true without clientCa (mTLS would be silently off), at its line", () => {
    const tls = (lines: string): string => VALID.replace("listen: { host: 127.0.0.1, port: 0 }\n", `listen:\n  port: 0\n  tls:\n    cert: relay.crt\n    key: relay.key\n${lines}`);
    expect(issuesOf(tls("    requireClientCert: true\n"))).toEqual([
      expect.stringMatching(/^relay\.yaml:6:24: listen\.tls\.requireClientCert: requireClientCert: true needs clientCa/),
    ]);
    expect(parseConfigText(tls("    clientCa: ca.crt\n    requireClientCert: true\n"), "relay.yaml").ok).toBe(true);
    expect(parseConfigText(tls("    requireClientCert: false\n"), "relay.yaml").ok).toBe(true);
  });

  it("refuses upstream scopes the protocol does not know, at the value", () => {
    const text = VALID.replace("    token: { file: gw2.token }\n", "    token: { file: gw2.token }\n    scopes: [operator.read, operator.wirte]\n");
    expect(issuesOf(text)).toEqual([expect.stringMatching(/^relay\.yaml:6:29: upstreams\.gw2\.scopes\[1\]: unknown operator scope "operator\.wirte" \(known: operator\.admin, operator\.read, /)]);
    const ok = parseConfigText(VALID.replace("    token: { file: gw2.token }\n", "    token: { file: gw2.token }\n    scopes: [operator.read, operator.talk.secrets]\n"), "relay.yaml");
    expect(ok.ok).toBe(true);
  });

  it("reports field errors and cross-reference errors in one round, sorted by line", () => {
    const text = VALID.replace("listen: { host: 127.0.0.1, port: 0 }", "listen: { host: 127.0.0.1, port: nope }")
      .replace("    upstreams: [gw2]", "    upstreams: [gw9]")
      .replace('allow: [health, "node.*"]', "allow: [health, 42]")
      .replace("    token: { file: gw2.token }\n", "    token: { file: gw2.token }\n    scopes: [operator.wirte]\n")
      .concat(`  wn2:\n    tokenSha256: ${HASH}\n    upstreams: [gw2]\n`);
    const issues = issuesOf(text);
    expect(issues).toEqual([
      expect.stringMatching(/^relay\.yaml:1:34: listen\.port: /),
      expect.stringMatching(/^relay\.yaml:6:14: upstreams\.gw2\.scopes\[0\]: unknown operator scope/),
      'relay.yaml:10:17: clients.wn1.upstreams[0]: unknown upstream "gw9"',
      "relay.yaml:11:21: clients.wn1.allow[1]: Invalid input: expected string, received number",
      'relay.yaml:14:18: clients.wn2.tokenSha256: same token hash as client "wn1": issue each client its own token',
    ]);
  });

  it("says plainly when the file is empty, not a mapping, or misses a required section", () => {
    expect(issuesOf("")).toEqual([expect.stringMatching(/^relay\.yaml: \(root\): the file is empty: expected the relay settings/)]);
    expect(issuesOf("# only a comment\n")).toEqual([expect.stringMatching(/^relay\.yaml: \(root\): the file is empty/)]);
    expect(issuesOf("- upstreams\n")).toEqual(["relay.yaml:1:1: (root): expected a mapping of settings (upstreams:, clients:, …), found a list"]);
    expect(issuesOf("upstreams\n")).toEqual([expect.stringMatching(/^relay\.yaml:1:1: \(root\): expected a mapping of settings .*found a string$/)]);
    const noClients = VALID.slice(0, VALID.indexOf("clients:"));
    expect(issuesOf(noClients)).toEqual([expect.stringMatching(/^relay\.yaml:1:1: clients: missing: this setting is required/)]);
  });

  it("refuses upstream headers over plaintext ws:// to a non-loopback host, at headers (wss:// and loopback ws:// are fine)", () => {
    const withHeaders = (url: string): string =>
      VALID.replace("url: ws://10.0.0.2:18789", `url: ${url}`).replace("    token: { file: gw2.token }\n", "    token: { file: gw2.token }\n    headers:\n      CF-Access-Client-Id: { env: CF_ID }\n");
    expect(issuesOf(withHeaders("ws://10.0.0.2:18789"))).toEqual([
      expect.stringMatching(/^relay\.yaml:6:5: upstreams\.gw2\.headers: edge headers are sent only over wss:\/\/ .*would send them in clear$/),
    ]);
    expect(parseConfigText(withHeaders("wss://gw2.example:18789"), "relay.yaml").ok).toBe(true);
    expect(parseConfigText(withHeaders("ws://127.0.0.1:18789"), "relay.yaml").ok).toBe(true);
  });

  it("reports YAML syntax errors with their position", () => {
    const text = VALID.replace("    upstreams: [gw2]", "    upstreams: [gw2");
    const [first] = issuesOf(text);
    expect(first).toMatch(/^relay\.yaml:\d+:\d+: \(yaml\): /);
    expect(issuesOf("upstreams:\n  gw2: {}\n  gw2: {}\nclients: {}\n")[0]).toMatch(/^relay\.yaml:3:3: \(yaml\): Map keys must be unique/);
  });

  it("warns about deny patterns and methodRateLimits keys (client and defaults) that match no known method", () => {
    const text = VALID.replace("    rateLimit: { perMinute: 600 }\n", '    rateLimit: { perMinute: 600 }\n    deny: ["node.invok", "node.*"]\n    methodRateLimits: { "node.invok": { perMinute: 6 }, "node.*": { perMinute: 60 } }\n') +
      'defaults:\n  methodRateLimits: { "stauts": { perMinute: 6 }, health: { perMinute: 60 } }\n';
    const result = parseConfigText(text, "relay.yaml");
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(configWarnings(result.loaded.config)).toEqual([
      'defaults.methodRateLimits: "stauts" matches no method of the OpenClaw catalogue (typo, or a plugin method?)',
      'clients.wn1.deny: "node.invok" matches no method of the OpenClaw catalogue (typo, or a plugin method?)',
      'clients.wn1.methodRateLimits: "node.invok" matches no method of the OpenClaw catalogue (typo, or a plugin method?)',
    ]);
  });

  it("warns about nodes patterns that cannot match a node id (display names), and the shipped example has none", async () => {
    const text = VALID.replace("    rateLimit: { perMinute: 600 }\n", '    rateLimit: { perMinute: 600 }\n    nodes: ["wn2-*", "ab6d*", "*"]\n');
    const result = parseConfigText(text, "relay.yaml");
    if (!result.ok) throw new Error(result.issues.map(formatIssue).join("\n"));
    expect(configWarnings(result.loaded.config).filter((warning) => warning.includes(".nodes"))).toEqual([
      expect.stringMatching(/^clients\.wn1\.nodes: "wn2-\*" cannot match a node id: .*not its display name; list them with: clawbridge gateway call node\.list/),
    ]);
    const example = await loadConfig(join(import.meta.dirname, "..", "relay.example.yaml"));
    if (!example.ok) throw new Error("example invalid");
    expect(configWarnings(example.loaded.config).filter((warning) => warning.includes(".nodes"))).toEqual([]);
  });

  it("warns about the locality trap, dead allow patterns and node.invoke without commands", () => {
    const text = VALID.replace("ws://10.0.0.2:18789", "ws://127.0.0.1:18789").replace('"node.*"', '"node.invoke", "nodes.lst"');
    const result = parseConfigText(text, "relay.yaml");
    if (!result.ok) throw new Error("invalid");
    const warnings = configWarnings(result.loaded.config);
    expect(warnings).toEqual([
      expect.stringContaining("upstreams.gw2.url is on loopback"),
      expect.stringContaining('"nodes.lst" matches no method'),
      expect.stringContaining("clients.wn1 allows node.invoke but sets no commands"),
    ]);
  });
});

describe("clawbridge-relay check and hash-token", () => {
  it("check exits 0 for a valid file and 2 with file:line:col for a broken one", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeSecret(join(dir, "gw2.token"), "upstream-token");
      await writeFile(join(dir, "ok.yaml"), VALID);
      await writeFile(join(dir, "bad.yaml"), VALID.replace("[gw2]", "[gw9]"));
      const out = capture();
      const err = capture();
      const io = { stdout: out.stream, stderr: err.stream, stdin: new PassThrough() };
      expect(await runCli(["check", "--config", join(dir, "ok.yaml")], io)).toBe(0);
      expect(out.text()).toContain("ok (1 upstreams, 1 clients)");
      expect(await runCli(["check", "-c", join(dir, "bad.yaml")], io)).toBe(2);
      expect(err.text()).toContain(`${join(dir, "bad.yaml")}:9:17: clients.wn1.upstreams[0]: unknown upstream "gw9"`);
      expect(await runCli(["check"], io)).toBe(2);
      expect(await runCli(["frobnicate"], io)).toBe(2);
    } finally {
      await cleanup();
    }
  });

  it("check verifies secret files (exist, 0600), env variables and TLS files, reports every problem at its line, and does not run commands", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, "loose.token"), "loose-secret-value\n", { mode: 0o644 });
      await chmod(join(dir, "loose.token"), 0o644);
      await writeFile(join(dir, "garbage.key"), "not a key\n");
      const marker = join(dir, "command-ran");
      const text = `listen:
  port: 0
  tls: { cert: nope.crt, key: garbage.key }
upstreams:
  gw2:
    url: wss://10.0.0.2:18789
    token: { file: missing.token }
    ca: /nonexistent/ca.pem
    headers:
      CF-Access-Client-Id: { env: CLAWBRIDGE_TEST_NOT_SET }
  gw3:
    url: ws://10.0.0.3:18789
    token: { file: loose.token }
  gw4:
    url: ws://10.0.0.4:18789
    token: { command: [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(`require("fs").writeFileSync(${JSON.stringify(marker)}, "x")`)}] }
clients:
  wn1:
    tokenSha256: ${HASH}
    upstreams: [gw2]
    allow: [health]
`;
      const file = join(dir, "relay.yaml");
      await writeFile(file, text);
      const out = capture();
      const err = capture();
      expect(await runCli(["check", "--config", file], { stdout: out.stream, stderr: err.stream, stdin: new PassThrough() })).toBe(2);
      expect(out.text()).toBe("");
      const problems = err.text().split("\n").filter((line) => line.startsWith(`${file}:`));
      expect(problems).toEqual([
        `${file}:3:16: listen.tls.cert: ${join(dir, "nope.crt")} cannot be read (ENOENT)`,
        `${file}:3:31: listen.tls.key: ${join(dir, "garbage.key")} is not a PEM private key`,
        expect.stringMatching(new RegExp(`^${file}:7:5: upstreams\\.gw2\\.token: cannot open secret file .*missing\\.token \\(ENOENT\\)$`)),
        `${file}:8:9: upstreams.gw2.ca: /nonexistent/ca.pem cannot be read (ENOENT)`,
        expect.stringMatching(new RegExp(`^${file}:10:7: upstreams\\.gw2\\.headers\\.CF-Access-Client-Id: environment variable CLAWBRIDGE_TEST_NOT_SET is not set`)),
        expect.stringMatching(new RegExp(`^${file}:13:5: upstreams\\.gw3\\.token: secret file .*loose\\.token is accessible by group or others \\(mode 0644\\)`)),
      ]);
      expect(err.text()).toContain("note: upstreams.gw4.token: {command} sources are not run by check");
      expect(err.text()).not.toContain("loose-secret-value");
      expect(existsSync(marker)).toBe(false);
    } finally {
      await cleanup();
    }
  });

  it("hash-token prints the config line of the token on stdin (trailing newline ignored)", async () => {
    const out = capture();
    const stdin = new PassThrough();
    stdin.end("s3cret-token\n");
    expect(await runCli(["hash-token"], { stdout: out.stream, stderr: capture().stream, stdin })).toBe(0);
    expect(out.text()).toBe(`tokenSha256: ${hashToken("s3cret-token")}\n`);
    expect(out.text()).not.toContain("s3cret");
    // Leading and trailing whitespace is not part of the token (the relay trims what clients present); inner whitespace is.
    const padded = capture();
    const paddedIn = new PassThrough();
    paddedIn.end("  s3cret token\t\r\n");
    expect(await runCli(["hash-token"], { stdout: padded.stream, stderr: capture().stream, stdin: paddedIn })).toBe(0);
    expect(padded.text()).toBe(`tokenSha256: ${hashToken("s3cret token")}\n`);
    const empty = new PassThrough();
    empty.end(" \n");
    expect(await runCli(["hash-token"], { stdout: capture().stream, stderr: capture().stream, stdin: empty })).toBe(2);
  });
});
