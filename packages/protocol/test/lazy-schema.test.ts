import * as z from "zod";
import { describe, expect, it } from "vitest";
import { ConnectChallengePayload, lazySchema, NodeEntry } from "../src/index.js";

describe("lazySchema", () => {
  it("builds the schema on first use, once", () => {
    let builds = 0;
    const schema = lazySchema(() => {
      builds += 1;
      return z.strictObject({ nonce: z.string().min(1) });
    });
    expect(builds).toBe(0);
    expect(schema.parse({ nonce: "n" })).toEqual({ nonce: "n" });
    expect(schema.safeParse({ nonce: "" }).success).toBe(false);
    expect(schema.unwrap().shape.nonce).toBeDefined();
    expect(builds).toBe(1);
  });

  it("parses, reports issues and converts to JSON Schema like the schema it wraps", () => {
    const build = () => z.strictObject({ nodeId: z.string().min(1), tags: z.array(z.string()).optional() });
    const eager = build();
    const lazy = lazySchema(build);
    for (const input of [{ nodeId: "a" }, { nodeId: "" }, { nodeId: "a", extra: 1 }, { tags: [1] }, null]) {
      const [a, b] = [eager.safeParse(input), lazy.safeParse(input)];
      expect(b.success).toBe(a.success);
      expect(b.error?.issues).toEqual(a.error?.issues);
    }
    expect(z.toJSONSchema(lazy)).toEqual(z.toJSONSchema(eager));
  });

  it("is what the protocol's message schemas are built with (still strict where they were)", () => {
    expect(ConnectChallengePayload.parse({ nonce: "n", ts: 1, extra: true })).toMatchObject({ nonce: "n", ts: 1 });
    expect(ConnectChallengePayload.safeParse({ nonce: "", ts: 1 }).success).toBe(false);
    const node = { nodeId: "n1", caps: [], commands: ["system.run"], paired: true, connected: false };
    expect(NodeEntry.parse(node)).toEqual(node);
    expect(NodeEntry.safeParse({ ...node, paired: "yes" }).success).toBe(false);
  });
});
