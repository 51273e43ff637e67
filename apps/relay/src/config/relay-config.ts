import { edgeHeadersTransportProblem, normalizeTlsFingerprint, UpgradeHeaders } from "@clawbridge/client";
import { OperatorScopes } from "@clawbridge/protocol";
import * as z from "zod";
import { SecretRef } from "./secret-ref.js";

/** Upstream and client ids: they appear in URL paths (`/gw/<id>`), metric labels and file names. */
const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be 1-64 of A-Z a-z 0-9 . _ - (starting with a letter or digit)");

/** A method, event, node or command pattern: `*` matches any run of characters (dots too), `?` one. */
const Pattern = z.string().regex(/^\S+$/, "must be a non-empty pattern without spaces");

const Port = z.int().min(0).max(65_535);

const KNOWN_SCOPES = Object.values(OperatorScopes);

/** One of the operator scopes the protocol knows (a typo would be requested and never granted). */
const OperatorScope = z.enum(KNOWN_SCOPES, {
  error: (issue) =>
    `${typeof issue.input === "string" ? `unknown operator scope "${issue.input.slice(0, 64)}"` : "must be an operator scope"} (known: ${KNOWN_SCOPES.join(", ")})`,
});

function isFingerprint(value: string): boolean {
  try {
    normalizeTlsFingerprint(value);
    return true;
  } catch {
    return false;
  }
}

/** `{perMinute: N}` or `{perSecond: N}`: a fixed window of N requests. */
export const RateLimitConfig = z
  .strictObject({
    perMinute: z.int().positive().optional(),
    perSecond: z.int().positive().optional(),
  })
  .refine((value) => (value.perMinute === undefined) !== (value.perSecond === undefined), {
    error: "set exactly one of perMinute or perSecond",
  });
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

/** Limits a client inherits from `defaults` unless it sets its own. */
const ClientLimits = {
  /** Requests per client, all methods together. */
  rateLimit: RateLimitConfig.optional(),
  /** Per-method limits (each matching method has its own counter); keys are method patterns. */
  methodRateLimits: z.record(Pattern, RateLimitConfig).optional(),
  /** Requests of one client awaiting their first upstream answer. */
  maxInFlight: z.int().positive().optional(),
  /** Largest `params` of one request (bytes of JSON). */
  maxPayloadBytes: z.int().positive().optional(),
  /** Open connections of one client (all its tokens/devices and upstreams, this replica). Default: unlimited. */
  maxConnections: z.int().positive().optional(),
};

/** One client's policy (`clients.<id>`). */
export const ClientConfig = z.strictObject({
  /** Hex SHA-256 of the relay-issued token (`clawbridge-relay hash-token`). */
  tokenSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (print one with: clawbridge-relay hash-token)")
    .transform((value) => value.toLowerCase())
    .optional(),
  /** Device ids (hex SHA-256 of the Ed25519 public key) the relay operator approved for this client. */
  devices: z.array(z.string().regex(/^[0-9a-fA-F]{64}$/, "must be a 64-hex-character device id").transform((v) => v.toLowerCase())).optional(),
  /** Upstreams this client may reach; the first is its default (reached at `/`). */
  upstreams: z.array(Id).min(1),
  /** Method patterns the client may call. Empty = nothing. */
  allow: z.array(Pattern).default([]),
  /** Method patterns refused even when allowed (always wins). */
  deny: z.array(Pattern).default([]),
  /** Event patterns forwarded to the client (after the gateway's event scope guards). Default: all. */
  events: z.array(Pattern).optional(),
  /** Node id patterns the client may address (`params.nodeId`); `node.list` answers are filtered. Default: any. */
  nodes: z.array(Pattern).optional(),
  /** `node.invoke` command patterns. Default: none (node.invoke needs an explicit list; `["*"]` = any). */
  commands: z.array(Pattern).optional(),
  ...ClientLimits,
});
export type ClientConfig = z.infer<typeof ClientConfig>;

/** One upstream gateway (`upstreams.<id>`). */
export const UpstreamConfig = z
  .strictObject({
    /** `ws://` or `wss://` URL of the gateway. */
    url: z.string().regex(/^wss?:\/\/\S+$/, "must be a ws:// or wss:// URL"),
    /** Shared gateway token. */
    token: SecretRef.optional(),
    /** Shared gateway password. */
    password: SecretRef.optional(),
    /** SHA-256 pin of the gateway's TLS leaf certificate (requires wss://). */
    tlsFingerprint: z
      .string()
      .refine(isFingerprint, { error: "must be a SHA-256 fingerprint: 64 hex characters or 32 colon-separated pairs, optional sha256: prefix" })
      .optional(),
    /** CA certificate file (PEM) for wss://. */
    ca: z.string().min(1).optional(),
    /**
     * Headers on the relay's upgrade request, for an edge in front of the gateway (Cloudflare
     * Access service tokens, an authenticating proxy). Values are secret references, never inline.
     */
    headers: UpgradeHeaders.optional(),
    /** Operator scopes the relay asks for. Default: the least-privilege union of what clients of this upstream may call. */
    scopes: z.array(OperatorScope).optional(),
    /** Prove the relay's Ed25519 device identity (default `always`; `never` only for lab gateways). */
    device: z.enum(["always", "never"]).default("always"),
    /** Allow plaintext ws:// to a public host. Default false. */
    allowInsecurePlaintext: z.boolean().default(false),
  })
  .refine((value) => !(value.tlsFingerprint !== undefined && typeof value.url === "string" && value.url.startsWith("ws://")), {
    error: "tlsFingerprint requires a wss:// url",
    path: ["tlsFingerprint"],
    when: () => true,
  })
  // Edge auth headers never travel in clear (as OpenClaw sends gateway.remote.edgeAuth only over wss://): ws:// only to loopback.
  .superRefine(
    (value, ctx) => {
      if (value.headers === undefined || typeof value.url !== "string") return;
      let url: URL;
      try {
        url = new URL(value.url);
      } catch {
        return;
      }
      const problem = edgeHeadersTransportProblem(url);
      if (problem !== undefined) ctx.addIssue({ code: "custom", path: ["headers"], message: problem });
    },
    { when: () => true },
  );
export type UpstreamConfig = z.infer<typeof UpstreamConfig>;

const Listener = {
  host: z.string().min(1).default("127.0.0.1"),
};

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const TOKEN_HASH = /^[0-9a-fA-F]{64}$/;

/**
 * Cross-references of the whole file: each client authenticates somehow and names
 * configured upstreams, token hashes are unique, each upstream has a credential. Reads
 * the value defensively: it also runs when other fields failed validation (then they are
 * still raw input), so those problems and these come in one report.
 */
function crossCheck(input: unknown, ctx: z.RefinementCtx): void {
  const root = asRecord(input);
  if (root === undefined) return;
  const upstreams = asRecord(root["upstreams"]);
  const hashes = new Map<string, string>();
  for (const [id, raw] of Object.entries(asRecord(root["clients"]) ?? {})) {
    const client = asRecord(raw);
    if (client === undefined) continue;
    const devices = Array.isArray(client["devices"]) ? client["devices"] : [];
    if (client["tokenSha256"] === undefined && devices.length === 0) {
      ctx.addIssue({ code: "custom", path: ["clients", id], message: "set tokenSha256 or devices (how this client authenticates)" });
    }
    if (upstreams !== undefined && Array.isArray(client["upstreams"])) {
      client["upstreams"].forEach((upstream: unknown, index) => {
        if (typeof upstream === "string" && !Object.hasOwn(upstreams, upstream)) {
          ctx.addIssue({ code: "custom", path: ["clients", id, "upstreams", index], message: `unknown upstream "${upstream.slice(0, 64)}"` });
        }
      });
    }
    const token = client["tokenSha256"];
    if (typeof token === "string" && TOKEN_HASH.test(token)) {
      const hash = token.toLowerCase();
      const other = hashes.get(hash);
      if (other !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["clients", id, "tokenSha256"],
          message: `same token hash as client "${other}": issue each client its own token`,
        });
      }
      hashes.set(hash, id);
    }
  }
  for (const [id, raw] of Object.entries(upstreams ?? {})) {
    const upstream = asRecord(raw);
    if (upstream === undefined) continue;
    if (upstream["token"] === undefined && upstream["password"] === undefined && upstream["device"] === "never") {
      ctx.addIssue({ code: "custom", path: ["upstreams", id], message: "an upstream needs a token, a password or a device identity" });
    }
  }
}

/** The whole `relay.yaml`. */
export const RelayConfig = z
  .strictObject({
    /** Client-facing listener. */
    listen: z
      .strictObject({
        ...Listener,
        port: Port.default(8787),
        /** TLS termination: PEM files; `clientCa` turns on client certificates (mTLS). */
        tls: z
          .strictObject({
            cert: z.string().min(1),
            key: z.string().min(1),
            clientCa: z.string().min(1).optional(),
            /** Refuse clients without a certificate signed by `clientCa`. Default true when `clientCa` is set. */
            requireClientCert: z.boolean().optional(),
          })
          // Without a CA there is nothing to verify client certificates against: mTLS would be silently off.
          .refine((tls) => !(asRecord(tls)?.["requireClientCert"] === true && asRecord(tls)?.["clientCa"] === undefined), {
            error: "requireClientCert: true needs clientCa (the CA that signs client certificates); without it no client certificate is checked",
            path: ["requireClientCert"],
            when: () => true,
          })
          .optional(),
        /** Most simultaneous client connections. Default 10 000. */
        maxConnections: z.int().positive().default(10_000),
      })
      .prefault({}),
    /** Admin listener: `/healthz`, `/readyz`, `/metrics`. Keep it on loopback or a private network. */
    admin: z.strictObject({ ...Listener, port: Port.default(9464) }).prefault({}),
    /** Where the relay keeps its upstream device identities and device tokens. */
    stateDir: z.string().min(1).optional(),
    log: z
      .strictObject({
        level: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
        /** Audit log destination: `stderr` (default) or `{file: path}` (appended). */
        audit: z.union([z.literal("stderr"), z.strictObject({ file: z.string().min(1) })]).default("stderr"),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Deadline (ms) for an upstream's first answer to a request. Default 60 000. */
        upstreamTimeoutMs: z.int().positive().default(60_000),
        /** Deadline (ms) for the final answer after an `accepted` one (two-phase methods). Default 1 800 000. */
        acceptedTimeoutMs: z.int().positive().default(1_800_000),
        /** SIGTERM: how long (ms) in-flight requests may take before sockets are closed. Default 30 000. */
        drainTimeoutMs: z.int().nonnegative().default(30_000),
        /** Client handshake deadline (ms). Default 15 000. */
        handshakeTimeoutMs: z.int().positive().default(15_000),
      })
      .prefault({}),
    upstreams: z.record(Id, UpstreamConfig).refine((value) => Object.keys(value).length > 0, {
      error: "configure at least one upstream",
    }),
    /** Limits every client inherits. */
    defaults: z.strictObject(ClientLimits).prefault({}),
    clients: z.record(Id, ClientConfig),
  })
  // Cross-checks run even when some fields are invalid (`when`), so every problem is reported in one round.
  .superRefine((config, ctx) => crossCheck(config, ctx), { when: () => true });
export type RelayConfig = z.infer<typeof RelayConfig>;
