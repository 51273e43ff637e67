// Peak-RSS probe used by bench/cli-call when /usr/bin/time is missing: runs a Node
// script in this process (argv as if started directly) and, at exit, writes the
// process's peak resident set size (KiB, `process.resourceUsage().maxRSS`) to the file
// named by $BENCH_RSS_FILE.
// Usage: BENCH_RSS_FILE=<path> node rss-wrapper.mjs <script> [args...]
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on("exit", () => {
  writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
await import(pathToFileURL(resolve(script)).href);
