#!/usr/bin/env node
/* global process */
// Runs the built @clawbridge/client in a separate process (e.g. inside a network namespace via
// `ip netns exec`), so the gateway sees the socket's real peer address.
//
// Input (stdin, one JSON object):
//   { clientDist, url, configDir, steps: [ { op: "callOnce", method, params?, device?, useToken? }
//                                         | { op: "connect-call", method, params?, device?, useToken?, client? } ] }
// The shared token comes from env CB_PROBE_TOKEN (never argv); `useToken: false` leaves it out.
// Output (stdout, one JSON object): { steps: [ { ok, hello?: {role, scopes, method, deviceTokenIssued},
//   result?: {keys}, error?: {name, code, detailCode, message, requestId, reason, deviceId, approveCommand} } ] }

import { pathToFileURL } from "node:url";

const readStdin = async () => {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
};

const describeError = (error) => ({
  name: error?.name,
  code: error?.code,
  detailCode: error?.detailCode ?? error?.details?.code,
  message: String(error?.message ?? error),
  requestId: error?.requestId,
  reason: error?.reason,
  deviceId: error?.deviceId,
  approveCommand: error?.approveCommand,
  details: error?.details,
});

const keysOf = (value) => (value !== null && typeof value === "object" ? Object.keys(value).sort() : []);

const job = JSON.parse(await readStdin());
const { GatewayClient } = await import(pathToFileURL(job.clientDist).href);
const token = process.env.CB_PROBE_TOKEN;
const results = [];
for (const step of job.steps) {
  const options = {
    url: job.url,
    configDir: job.configDir,
    device: step.device ?? "auto",
    ...(step.useToken === false || token === undefined ? {} : { token }),
  };
  try {
    if (step.op === "callOnce") {
      const result = await GatewayClient.callOnce(options, step.method, step.params ?? {}, { timeoutMs: step.timeoutMs ?? 15_000 });
      results.push({ ok: true, result: { keys: keysOf(result) } });
    } else if (step.op === "connect-call") {
      const client = new GatewayClient({
        ...options,
        client: step.client ?? { id: "cli", mode: "cli" },
        methods: [{ method: step.method, params: step.params ?? {} }],
        requestTimeoutMs: step.timeoutMs ?? 15_000,
      });
      try {
        const hello = await client.connect();
        const entry = {
          ok: true,
          hello: {
            role: hello.auth?.role,
            scopes: hello.auth?.scopes,
            method: hello.auth?.method,
            deviceTokenIssued: typeof hello.auth?.deviceToken === "string",
          },
        };
        try {
          const result = await client.call(step.method, step.params ?? {});
          entry.result = { keys: keysOf(result) };
        } catch (error) {
          entry.ok = false;
          entry.error = describeError(error);
        }
        results.push(entry);
      } finally {
        await client.close();
      }
    } else {
      throw new Error(`unknown probe op ${step.op}`);
    }
  } catch (error) {
    results.push({ ok: false, error: describeError(error) });
  }
}
process.stdout.write(`${JSON.stringify({ steps: results })}\n`);
