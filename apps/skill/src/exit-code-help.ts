/** The exit-code table of `remote-gateway --help`: packages/cli-contract's `ExitCodes`, with exit 6 including the skill's own policy. */
export const SKILL_EXIT_CODE_HELP = `Output: one JSON document on stdout; failures print {"ok":false,"error":{"type","code","message",...}}.
Nothing on stderr, except one line when stdout itself cannot be written (exit 7).

Exit codes:
  0  ok
  1  the remote gateway answered with an error
  2  usage: bad arguments or --params, unknown remote, missing credentials, beyond the
     remote's scope ceiling (SCOPE_CEILING) (nothing sent)
  3  cannot connect to the remote gateway (refused, DNS, TLS, pin mismatch, plaintext
     refused, upgrade rejected, connection lost)
  4  the remote gateway rejected the connection: auth, pairing, protocol
  5  timed out (error.requestSent says whether the request had been sent)
  6  denied by policy: the remote's skill policy (checked before connecting) or a relay
  7  stdout could not be written (e.g. ENOSPC; one line on stderr; the call may have succeeded)
  130, 143  stopped by SIGINT / SIGTERM (e.g. a system.run timeout): error.type "interrupted";
     check error.requestSent before repeating`;
