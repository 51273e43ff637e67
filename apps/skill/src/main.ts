// First: zod must be configured before any protocol schema is constructed.
import "./zod-jitless.js";
import { runBin } from "./run-bin.js";

// A closed pipe (`remote-gateway … | head`) is the reader's choice, not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

// No top-level await: the bundled bin is CommonJS (see tools/bundle-bin.mjs).
void runBin(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then((code) => {
  process.exitCode = code;
});
