/**
 * How the remote profile's skill policy gates a verb: `read` verbs are always allowed
 * (within the profile's scope ceiling), `invoke` needs the node command in
 * `skill.allowInvoke`, `call` needs `skill.allowCall`, `local` never connects.
 */
export type VerbPolicy = "read" | "invoke" | "call" | "local";

/** A positional argument after `<remote_id>`. */
export interface VerbArgument {
  readonly name: string;
  readonly description: string;
}

/** One verb of `remote-gateway`: the single source for the parser, help, SKILL.md checks and the exec argPattern. */
export interface VerbSpec {
  readonly name: VerbName;
  /** One line for `--help` and the verb table. */
  readonly summary: string;
  /** Takes `<remote_id>` as its first argument. */
  readonly remote: boolean;
  /** Positional arguments after `<remote_id>`. */
  readonly args: readonly VerbArgument[];
  /** Accepts `--params <json>` (inline JSON only). */
  readonly params: boolean;
  readonly policy: VerbPolicy;
  /** Gateway methods it calls (for help text). */
  readonly methods: readonly string[];
  /**
   * Operator scopes its requests need (least privilege of `methods`; a test checks them
   * against the client's scope rules). Empty where they depend on the arguments
   * (`invoke`, `call`) or nothing is sent (`remotes`).
   */
  readonly scopes: readonly string[];
}

/** Every verb name, in the order help lists them. */
export const VERB_NAMES = [
  "list_nodes",
  "describe_node",
  "status",
  "health",
  "presence",
  "pending_pairings",
  "pending_approvals",
  "invoke",
  "call",
  "remotes",
] as const;

/** A verb name. */
export type VerbName = (typeof VERB_NAMES)[number];

const READ = "operator.read";

const NODE_ID: VerbArgument = { name: "nodeId", description: "node id as list_nodes reports it (nodes[].nodeId)" };

/** The verb catalogue. */
export const VERBS: Readonly<Record<VerbName, VerbSpec>> = {
  list_nodes: {
    name: "list_nodes",
    summary: "list the remote gateway's nodes (id, name, platform, commands, connected)",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["node.list"],
    scopes: [READ],
  },
  describe_node: {
    name: "describe_node",
    summary: "describe one node of the remote gateway",
    remote: true,
    args: [NODE_ID],
    params: false,
    policy: "read",
    methods: ["node.describe"],
    scopes: [READ],
  },
  status: {
    name: "status",
    summary: "the remote gateway's status summary",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["status"],
    scopes: [READ],
  },
  health: {
    name: "health",
    summary: "the remote gateway's health snapshot",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["health"],
    scopes: [READ],
  },
  presence: {
    name: "presence",
    summary: "clients and nodes currently connected to the remote gateway",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["system-presence"],
    scopes: [READ],
  },
  pending_pairings: {
    name: "pending_pairings",
    summary: "device and node pairing requests waiting for approval on the remote gateway",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["device.pair.list", "node.pair.list"],
    scopes: ["operator.pairing"],
  },
  pending_approvals: {
    name: "pending_approvals",
    summary: "exec approvals waiting for a decision on the remote gateway (listing only)",
    remote: true,
    args: [],
    params: false,
    policy: "read",
    methods: ["exec.approval.list"],
    scopes: ["operator.approvals"],
  },
  invoke: {
    name: "invoke",
    summary: "run a node command on a remote node (only commands the remote's profile allows)",
    remote: true,
    args: [NODE_ID, { name: "command", description: "node command, e.g. canvas.snapshot (must be in the profile's skill.allowInvoke)" }],
    params: true,
    policy: "invoke",
    methods: ["node.invoke"],
    scopes: [],
  },
  call: {
    name: "call",
    summary: "raw gateway method call: escape hatch, only when the remote's profile sets skill.allowCall",
    remote: true,
    args: [{ name: "method", description: "gateway method name, e.g. sessions.list" }],
    params: true,
    policy: "call",
    methods: [],
    scopes: [],
  },
  remotes: {
    name: "remotes",
    summary: "list the configured remote ids with their descriptions and permitted verbs (no URLs)",
    remote: false,
    args: [],
    params: false,
    policy: "local",
    methods: [],
    scopes: [],
  },
};
