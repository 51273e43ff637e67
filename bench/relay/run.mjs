#!/usr/bin/env node
// Relay benchmark (issue #7): throughput and latency of node.list-sized calls made
// directly to a MockGateway vs through clawbridge-relay, with 1, 50 and 500 concurrent
// clients, plus the relay's memory per idle client connection. Everything runs in this
// one invocation, so the ratios compare like with like on this machine. It reports;
// it never asserts (goals: relay throughput >= 0.7x direct, added p50 <= 0.5 ms).
//
// Processes: the upstream MockGateway (a child running this file with `upstream`), the
// relay (the real built bin, audit log to a temp file), and this load generator. Two
// floors run in the same rounds (floor-relays.mjs): a bare `ws` relay that parses and
// re-ids frames over one upstream connection but has no policy, validation, metrics or
// audit, and a TCP pipe per client. They show what any Node relay costs on this machine,
// so relay/ws-floor says what clawbridge-relay's own work costs. Needs `pnpm build` first.
//
// Also reported: CPU time per call of each process (Linux /proc), which says where the
// two cores went. Knobs: BENCH_ROUNDS, BENCH_WARMUP_MS, BENCH_MEASURE_MS, BENCH_CONCURRENCY
// (e.g. "1,50"), BENCH_IDLE_CONNECTIONS, BENCH_PIN=1 (see below), and
// BENCH_RELAY_NODE_ARGS / BENCH_UPSTREAM_NODE_ARGS (node flags for a child, e.g.
// "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { execFileSync, spawn } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dist = (path) => join(root, path);
// BENCH_RELAY_BIN: another build of the relay to measure instead of this checkout's.
const RELAY_BIN = process.env.BENCH_RELAY_BIN ?? dist("apps/relay/dist/main.js");
// BENCH_BASELINE_RELAY_BIN: a second relay build (e.g. a worktree of an older commit) run as path
// "baseline" in the same alternating rounds, for A/B comparisons that load elsewhere cannot skew.
// BENCH_BASELINE_NODE_ARGS: node flags for that relay (default: BENCH_RELAY_NODE_ARGS), so the same
// build can be compared with itself under other flags (e.g. --max-semi-space-size=64).
const BASELINE_BIN = process.env.BENCH_BASELINE_RELAY_BIN;
for (const file of [RELAY_BIN, ...(BASELINE_BIN === undefined ? [] : [BASELINE_BIN]), dist("packages/client/dist/index.js"), dist("packages/mock-gateway/dist/index.js")]) {
  if (!existsSync(file)) {
    console.error(`missing ${file}: run pnpm build first`);
    process.exit(2);
  }
}

const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const MEASURE_MS = Number(process.env.BENCH_MEASURE_MS ?? 2_000);
// Direct and relayed rounds alternate and each cell reports its median round, so a burst
// of load from elsewhere on the machine skews one round, not the comparison.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,50,500").split(",").map(Number);
const IDLE_CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 500);
const FLOORS = process.env.BENCH_FLOORS !== "0";
// Linux's USER_HZ (getconf CLK_TCK), the unit of utime/stime in /proc/<pid>/stat.
const CLOCK_TICKS = 100;
// BENCH_PIN=1 (Linux, needs taskset and 2+ cores): the load generator and the gateway share CPU 0,
// the relay (and each floor or baseline relay) gets CPU 1 — as if the relay ran on its own host.
// Every path keeps the same CPUs for load generator and gateway, so the ratio shows what the
// relay costs when it does not take CPU from them. Default: no pinning (all three processes share every core).
const PIN = process.env.BENCH_PIN === "1";
if (PIN) execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });

if (process.argv[2] === "upstream") {
  // Child role: the upstream gateway, with a few nodes so node.list answers are realistically sized.
  const { MockGateway } = await import(dist("packages/mock-gateway/dist/index.js"));
  const gateway = new MockGateway({ auth: { token: process.env.BENCH_UPSTREAM_TOKEN } });
  for (let i = 1; i <= 6; i += 1) {
    gateway.addFakeNode({ nodeId: createHash("sha256").update(`node-${i}`).digest("hex"), displayName: `wn${i}`, commands: ["system.run", "system.which"] });
  }
  const url = await gateway.start();
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.stdin.resume();
  process.stdin.on("end", () => void gateway.stop().then(() => process.exit(0)));
  process.on("SIGTERM", () => void gateway.stop().then(() => process.exit(0)));
} else {
  await main();
}

/** Starts a child and resolves with its first stdout JSON line (the upstream) or matching stderr line (the relay). */
function startChild(args, env, pick, nodeArgs = "", cpu = undefined) {
  const argv = [process.execPath, ...nodeArgs.split(" ").filter(Boolean), ...args];
  // taskset execs node in place, so child.pid is node's pid.
  const [command, ...rest] = cpu === undefined ? argv : ["taskset", "-c", cpu, ...argv];
  const child = spawn(command, rest, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    const onLine = (line) => {
      let parsed;
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      const value = pick(parsed);
      if (value !== undefined) resolve({ child, value });
    };
    createInterface({ input: child.stdout }).on("line", onLine);
    createInterface({ input: child.stderr }).on("line", onLine);
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before it was ready`)));
  });
}

async function metricsOf(adminUrl) {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const value = (name) => Number(/^(\S+) (\S+)$/m.exec(text.split("\n").find((line) => line.startsWith(`${name} `)) ?? "")?.[2] ?? NaN);
  return { rss: value("process_resident_memory_bytes"), heap: value("nodejs_heap_size_used_bytes") };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function openClients(GatewayClient, url, token, count, configDir) {
  const clients = [];
  // In batches, so the handshakes do not all land in the same millisecond.
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, () =>
      new GatewayClient({ url, token, device: "never", configDir, tickWatchdog: false, requestTimeoutMs: 60_000 }),
    );
    await Promise.all(batch.map((client) => client.connect()));
    clients.push(...batch);
  }
  return clients;
}

/** CPU time (user + system, all threads) of the child processes (Linux /proc, 10 ms ticks) and of this one, in µs. */
function cpuTimes(pids) {
  const own = process.cpuUsage();
  const result = { load: own.user + own.system };
  for (const [name, pid] of Object.entries(pids)) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      result[name] = ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS;
    } catch {
      result[name] = NaN;
    }
  }
  return result;
}

/**
 * Each client keeps one node.list in flight for warmup + measure; latencies of the measure window only.
 * Also the CPU time each process spent per completed call over the whole round (warmup included).
 */
async function load(clients, pids) {
  const latencies = [];
  let errors = 0;
  let calls = 0;
  const cpuBefore = cpuTimes(pids);
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const stopAt = measureFrom + MEASURE_MS;
  await Promise.all(
    clients.map(async (client) => {
      for (;;) {
        const t0 = performance.now();
        if (t0 >= stopAt) return;
        try {
          await client.call("node.list", {});
        } catch {
          errors += 1;
        }
        const t1 = performance.now();
        calls += 1;
        if (t0 >= measureFrom && t1 <= stopAt) latencies.push(t1 - t0);
      }
    }),
  );
  const cpuAfter = cpuTimes(pids);
  const cpuUs = Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, (cpuAfter[name] - cpuBefore[name]) / calls]));
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / (MEASURE_MS / 1_000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, cpuUs };
}

async function main() {
  const { GatewayClient } = await import(dist("packages/client/dist/index.js"));
  const dir = await mkdtemp(join(tmpdir(), "clawbridge-bench-relay-"));
  const upstreamToken = randomBytes(24).toString("base64url");
  const clientToken = randomBytes(24).toString("base64url");
  const children = [];
  try {
    const upstream = await startChild([fileURLToPath(import.meta.url), "upstream"], { BENCH_UPSTREAM_TOKEN: upstreamToken }, (line) => line.url, process.env.BENCH_UPSTREAM_NODE_ARGS, PIN ? "0" : undefined);
    children.push(upstream.child);
    await writeFile(join(dir, "gw2.token"), `${upstreamToken}\n`, { mode: 0o600 });
    /** Writes a config for one relay process (its own audit file) and starts `bin` with it. */
    const startRelay = async (bin, name) => {
      await writeFile(
        join(dir, `${name}.yaml`),
        `listen: { host: 127.0.0.1, port: 0 }
admin: { host: 127.0.0.1, port: 0 }
stateDir: state
log: { level: info, audit: { file: ${name}-audit.jsonl } }
upstreams:
  gw2:
    url: ${upstream.value}
    token: { file: gw2.token }
clients:
  bench:
    tokenSha256: ${createHash("sha256").update(clientToken).digest("hex")}
    upstreams: [gw2]
    allow: [health, "node.list", "node.describe"]
    maxInFlight: 100000
`,
      );
      const started = await startChild([bin, "--config", join(dir, `${name}.yaml`)], {}, (line) =>
        line.msg === "relay listening" ? { url: line.url, admin: line.admin } : undefined,
        name === "baseline" ? (process.env.BENCH_BASELINE_NODE_ARGS ?? process.env.BENCH_RELAY_NODE_ARGS) : process.env.BENCH_RELAY_NODE_ARGS,
        PIN ? "1" : undefined,
      );
      children.push(started.child);
      for (let i = 0; i < 200 && (await fetch(`${started.value.admin}/readyz`)).status !== 200; i += 1) await new Promise((r) => setTimeout(r, 50));
      return started;
    };
    const relay = await startRelay(RELAY_BIN, "relay");
    const { url: relayUrl, admin } = relay.value;

    // Each path: where its clients connect, with which token, and which process relays (none when direct).
    const routes = [
      { name: "direct", url: upstream.value, token: upstreamToken, relayPid: undefined },
      { name: "relay", url: `${relayUrl}/gw/gw2`, token: clientToken, relayPid: relay.child.pid },
    ];
    if (BASELINE_BIN !== undefined) {
      const baseline = await startRelay(BASELINE_BIN, "baseline");
      routes.push({ name: "baseline", url: `${baseline.value.url}/gw/gw2`, token: clientToken, relayPid: baseline.child.pid });
    }
    if (FLOORS) {
      for (const kind of ["ws", "tcp"]) {
        const floor = await startChild([join(root, "bench/relay/floor-relays.mjs"), kind, upstream.value], { BENCH_UPSTREAM_TOKEN: upstreamToken }, (line) =>
          line.msg === "relay listening" ? line.url : undefined,
          "",
          PIN ? "1" : undefined,
        );
        children.push(floor.child);
        // The TCP pipe hands the clients' connect to the gateway itself; the ws floor authenticates nobody.
        routes.push({ name: `${kind}-floor`, url: floor.value, token: upstreamToken, relayPid: floor.child.pid });
      }
    }

    const rows = [];
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const concurrency of CONCURRENCY) {
      const paths = [];
      for (const route of routes) paths.push({ ...route, clients: await openClients(GatewayClient, route.url, route.token, concurrency, join(dir, "clients")), runs: [] });
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const path of paths) path.runs.push(await load(path.clients, { gateway: upstream.child.pid, relay: path.relayPid }));
      }
      for (const path of paths) {
        await Promise.all(path.clients.map((client) => client.close()));
        const row = {
          name: path.name,
          concurrency,
          rps: median(path.runs.map((run) => run.rps)),
          p50: median(path.runs.map((run) => run.p50)),
          p99: median(path.runs.map((run) => run.p99)),
          errors: path.runs.reduce((sum, run) => sum + run.errors, 0),
          cpuUs: Object.fromEntries(["load", "gateway", "relay"].map((name) => [name, median(path.runs.map((run) => run.cpuUs[name]))])),
        };
        rows.push(row);
        process.stderr.write(`  ${path.name} x${concurrency}: ${path.runs.map((run) => run.rps.toFixed(0)).join(" / ")} req/s\n`);
      }
    }

    // Memory per idle connection: relay RSS and heap before and after opening N idle clients.
    await new Promise((r) => setTimeout(r, 500));
    const before = await metricsOf(admin);
    const idle = await openClients(GatewayClient, `${relayUrl}/gw/gw2`, clientToken, IDLE_CONNECTIONS, join(dir, "clients"));
    await new Promise((r) => setTimeout(r, 1_000));
    const after = await metricsOf(admin);
    await Promise.all(idle.map((client) => client.close()));

    const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
    const [load1] = (await import("node:os")).loadavg();
    console.log(
      `\nclawbridge-relay bench (node ${process.version}, ${(await import("node:os")).cpus().length} cores, load ${load1.toFixed(1)}; ` +
        `${PIN ? "pinned: load generator + gateway on CPU 0, relay on CPU 1; " : ""}median of ${ROUNDS} alternating rounds of ${WARMUP_MS} ms warmup + ${MEASURE_MS} ms; node.list)\n`,
    );
    const row = (name, concurrency) => rows.find((r) => r.name === name && r.concurrency === concurrency);
    console.log("| path      | clients |   req/s | p50 ms | p99 ms | errors |");
    console.log("| --------- | ------: | ------: | -----: | -----: | -----: |");
    for (const r of rows) {
      console.log(`| ${r.name.padEnd(9)} | ${String(r.concurrency).padStart(7)} | ${r.rps.toFixed(0).padStart(7)} | ${fmt(r.p50).padStart(6)} | ${fmt(r.p99).padStart(6)} | ${String(r.errors).padStart(6)} |`);
    }
    console.log("\n| clients | throughput relay/direct | added p50 ms | goals (>= 0.7x, <= 0.5 ms) | ws-floor/direct | tcp-floor/direct | relay/ws-floor |");
    console.log("| ------: | ----------------------: | -----------: | -------------------------- | --------------: | ---------------: | -------------: |");
    for (const concurrency of CONCURRENCY) {
      const direct = row("direct", concurrency);
      const viaRelay = row("relay", concurrency);
      const ratio = viaRelay.rps / direct.rps;
      const added = viaRelay.p50 - direct.p50;
      const verdict = `${ratio >= 0.7 ? "met" : "missed"} / ${added <= 0.5 ? "met" : "missed"}`;
      const over = (a, b) => fmt((a?.rps ?? NaN) / (b?.rps ?? NaN));
      const floors = `${over(row("ws-floor", concurrency), direct).padStart(14)}x | ${over(row("tcp-floor", concurrency), direct).padStart(15)}x | ${over(viaRelay, row("ws-floor", concurrency)).padStart(13)}x`;
      console.log(`| ${String(concurrency).padStart(7)} | ${fmt(ratio).padStart(22)}x | ${fmt(added, 3).padStart(12)} | ${verdict.padEnd(26)} | ${floors} |`);
    }
    if (BASELINE_BIN !== undefined) {
      const ratios = CONCURRENCY.map((c) => `${c} clients ${fmt(row("relay", c).rps / row("baseline", c).rps)}x`);
      console.log(`\nthroughput relay/baseline (${BASELINE_BIN}): ${ratios.join(", ")}`);
    }
    console.log("\nCPU time per call (µs, user + system, median round; the load generator is this process; relay = the path's relay process):\n");
    console.log("| path      | clients | load generator | gateway | relay | total |");
    console.log("| --------- | ------: | -------------: | ------: | ----: | ----: |");
    for (const r of rows) {
      const { load: l, gateway: g, relay: relayCpu } = r.cpuUs;
      const total = l + g + (Number.isFinite(relayCpu) ? relayCpu : 0);
      console.log(`| ${r.name.padEnd(9)} | ${String(r.concurrency).padStart(7)} | ${fmt(l, 0).padStart(14)} | ${fmt(g, 0).padStart(7)} | ${fmt(relayCpu, 0).padStart(5)} | ${fmt(total, 0).padStart(5)} |`);
    }
    const perRss = (after.rss - before.rss) / IDLE_CONNECTIONS / 1024;
    const perHeap = (after.heap - before.heap) / IDLE_CONNECTIONS / 1024;
    console.log(`\nrelay memory per idle client connection (${IDLE_CONNECTIONS} connections): ${fmt(perRss, 1)} KiB RSS, ${fmt(perHeap, 1)} KiB JS heap`);
  } finally {
    for (const child of children.reverse()) {
      child.kill("SIGTERM");
      await new Promise((resolve) => {
        if (child.exitCode !== null) resolve();
        else child.once("exit", resolve);
      });
    }
    await rm(dir, { recursive: true, force: true });
  }
}
