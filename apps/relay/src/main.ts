#!/usr/bin/env node
import { runCli } from "./cli.js";

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; a handle a dependency forgot to unref must not keep a stopped relay alive.
setTimeout(() => process.exit(code), 2_000).unref();
