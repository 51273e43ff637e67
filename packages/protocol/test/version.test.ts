import { describe, expect, it } from "vitest";
import { isProtocolAccepted } from "../src/index.js";
import type { ProtocolOffer } from "../src/index.js";

const offer = (minProtocol: number, maxProtocol: number, role?: string, mode?: string): ProtocolOffer => ({
  minProtocol,
  maxProtocol,
  role,
  mode,
});

describe("isProtocolAccepted (gateway-protocol §9.1)", () => {
  it.each([
    ["4..4 operator", offer(4, 4, "operator", "cli"), true],
    ["4..4 without role or mode", offer(4, 4), true],
    ["1..9 operator (range contains 4)", offer(1, 9, "operator", "cli"), true],
    ["3..4 operator", offer(3, 4, "operator", "cli"), true],
    ["4..5 operator", offer(4, 5, "operator", "ui"), true],
    ["3..3 operator is rejected (observed: close 1002)", offer(3, 3, "operator", "cli"), false],
    ["3..3 node role with node mode (legacy node)", offer(3, 3, "node", "node"), true],
    ["2..3 legacy node", offer(2, 3, "node", "node"), true],
    ["3..3 node role without node mode", offer(3, 3, "node", "backend"), false],
    ["3..3 node mode without node role", offer(3, 3, "operator", "node"), false],
    ["2..2 legacy node below 3", offer(2, 2, "node", "node"), false],
    ["3..3 probe", offer(3, 3, "operator", "probe"), true],
    ["3..3 probe without a role", offer(3, 3, undefined, "probe"), true],
    ["2..2 probe below 3", offer(2, 2, undefined, "probe"), false],
    ["5..5 probe (min above 4)", offer(5, 5, undefined, "probe"), false],
    ["5..5 operator is rejected", offer(5, 5, "operator", "cli"), false],
    ["5..5 node is rejected", offer(5, 5, "node", "node"), false],
    ["inverted range 4..3", offer(4, 3, "operator", "cli"), false],
  ])("%s → %s", (_name, input, expected) => {
    expect(isProtocolAccepted(input)).toBe(expected);
  });
});
