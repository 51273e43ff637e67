import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { JsonOutput } from "../src/json-output.js";

describe("JsonOutput", () => {
  it("redacts secrets value by value, so a secret that also occurs as a number keeps the document valid", () => {
    const stdout = new PassThrough();
    const output = new JsonOutput(stdout);
    output.redactor.add("1800");
    output.document({ ok: true, payload: { heartbeatSeconds: 1800, everyMs: 1_800_000, echo: "pw 1800" } });
    const text = String(stdout.read());
    expect(JSON.parse(text)).toEqual({ ok: true, payload: { heartbeatSeconds: 1800, everyMs: 1_800_000, echo: "pw [REDACTED]" } });
  });
});
