/**
 * Process exit codes of every `clawbridge` command (ARCHITECTURE §4). OpenClaw's own
 * CLI exits 1 for every failure; we split the failure space so a caller (WN1's
 * `system.run`, a skill, a script) can tell "fix your command" from "the gateway said
 * no" from "try again later" without parsing text.
 */
export const ExitCodes = {
  /** Success. */
  OK: 0,
  /** The gateway answered the request with an error (also: unexpected internal errors, type `cli_error`). */
  GATEWAY_ERROR: 1,
  /** Usage: bad flag or value, bad `--params`, unknown remote, missing or unreadable credentials. Nothing was sent. */
  USAGE: 2,
  /** Cannot connect or connection lost: refused, DNS, TLS, upgrade rejected, pin mismatch, plaintext refused, closed. */
  CONNECT_FAILED: 3,
  /** The gateway rejected `connect`: auth, pairing, protocol. */
  CONNECT_REJECTED: 4,
  /** Timed out; the message and `requestSent` say whether the request had been sent. */
  TIMEOUT: 5,
  /**
   * Denied by policy: a clawbridge relay's (`error.details.code: "RELAY_POLICY_DENIED"`), or the
   * `remote-gateway` skill's own, checked locally before connecting (`error.type: "skill_policy_denied"`).
   */
  RELAY_DENIED: 6,
  /**
   * The output could not be written (stdout or stderr failed with an error other than a
   * closed pipe, e.g. `ENOSPC`); the command itself may have succeeded.
   */
  OUTPUT_FAILED: 7,
  /** Interrupted by SIGINT (Ctrl-C); the shell's 128 + 2. `--json` still prints the `interrupted` envelope. */
  INTERRUPTED: 130,
  /** Terminated by SIGTERM; the shell's 128 + 15. `--json` still prints the `interrupted` envelope. */
  TERMINATED: 143,
} as const;

/** One of {@link ExitCodes}. */
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/** `details.code` a clawbridge relay puts on a policy denial. */
export const RELAY_POLICY_DENIED = "RELAY_POLICY_DENIED";

/** The exit-code table shown by `--help` (and mirrored in the README). */
export const EXIT_CODE_HELP = `Exit codes:
  0  ok
  1  the gateway answered with an error (also unexpected internal errors)
  2  usage: bad flag, bad --params, unknown remote, missing credentials (nothing sent)
  3  cannot connect: refused, DNS, TLS, upgrade rejected, pin mismatch, plaintext refused, connection lost
  4  connect rejected by the gateway: auth, pairing, protocol
  5  timed out (the message says whether the request was already sent)
  6  denied by relay policy (error.details.code "RELAY_POLICY_DENIED")
  7  the output could not be written (stdout/stderr error such as ENOSPC; the call may have succeeded)
  130, 143  interrupted by SIGINT / SIGTERM (--json: an "interrupted" envelope saying whether the request was sent)`;
