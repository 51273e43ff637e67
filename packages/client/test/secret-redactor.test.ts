import { describe, expect, it } from "vitest";
import { SecretRedactor } from "../src/index.js";

describe("SecretRedactor.stringify", () => {
  it("redacts strings and keys at any depth and leaves numbers and JSON syntax alone", () => {
    const redactor = new SecretRedactor();
    redactor.add("1800");
    redactor.add("s3cret\"quoted");
    let deep: unknown = { echo: "token 1800 echoed" };
    for (let i = 0; i < 12; i += 1) deep = { level: i, next: deep };
    const value = { heartbeatSeconds: 1800, everyMs: 1_800_000, list: [1800, "x1800y"], "key-1800": true, quoted: 's3cret"quoted', deep };

    const text = redactor.stringify(value, 2);
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(parsed["heartbeatSeconds"]).toBe(1800);
    expect(parsed["everyMs"]).toBe(1_800_000);
    expect(parsed["list"]).toEqual([1800, "x[REDACTED]y"]);
    expect(parsed["key-[REDACTED]"]).toBe(true);
    expect(parsed["quoted"]).toBe("[REDACTED]");
    expect(text).toContain('"echo": "token [REDACTED] echoed"');
    expect(text).not.toContain("s3cret");
    // Whole-text redaction is what broke the document: the number 1800000 contains the secret.
    expect(() => JSON.parse(redactor.redact(JSON.stringify(value)))).toThrow();
  });

  it("is plain JSON.stringify when no secret is registered", () => {
    const value = { a: [1, "b"], c: null };
    expect(new SecretRedactor().stringify(value, 2)).toBe(JSON.stringify(value, null, 2));
  });
});
