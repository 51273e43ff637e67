// First: zod must be configured before any protocol schema is constructed.
import "./zod-jitless.js";
import { runBinProcess } from "@clawbridge/cli-contract";
import { runBin } from "./run-bin.js";

// stdout/stderr errors, interrupts and a rejected run: the contract every bin shares. A
// stdout that cannot take the document is the one exception to "nothing on stderr": one
// line there, exit 7. (A file stdout fails synchronously, inside JsonOutput; a pipe here.)
// No top-level await: the bundled bin is CommonJS (see tools/bundle-bin.mjs).
runBinProcess("remote-gateway", () => runBin(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }));
