import { availableParallelism, loadavg } from "node:os";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { EventLoopUtilization, IntervalHistogram } from "node:perf_hooks";

/** Event-loop utilization above which OpenClaw calls the loop degraded (ratio). */
const DEGRADED_UTILIZATION = 0.9;

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * The `eventLoop` diagnostics block of `health` and `status` (keys as a real 2026.9.6 gateway
 * sends them: `degraded`, `degradedSinceMs`, `reasons`, `intervalMs`, `delayP99Ms`,
 * `delayMaxMs`, `utilization`, `cpuCoreRatio`, `cpuBreakdown`), measured on this process
 * since the previous sample. Values are real measurements of the mock's own loop, not
 * copies of OpenClaw's.
 */
export class EventLoopStats {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  #lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  #lastCpu: NodeJS.CpuUsage = process.cpuUsage();
  #lastAt = performance.now();
  #degradedSince: number | undefined;

  constructor() {
    this.#histogram.enable();
  }

  /** One sample (ms, ratios); resets the interval. */
  sample(): Record<string, unknown> {
    const now = performance.now();
    const intervalMs = Math.max(1, now - this.#lastAt);
    const elu = performance.eventLoopUtilization(this.#lastElu);
    const cpu = process.cpuUsage(this.#lastCpu);
    const cores = Math.max(1, availableParallelism());
    const cpuCoreRatio = (cpu.user + cpu.system) / 1000 / intervalMs / cores;
    const delayP99Ms = round(this.#histogram.percentile(99) / 1e6, 1);
    const delayMaxMs = round(this.#histogram.max / 1e6, 1);
    this.#histogram.reset();
    this.#lastElu = performance.eventLoopUtilization();
    this.#lastCpu = process.cpuUsage();
    this.#lastAt = now;
    const degraded = elu.utilization > DEGRADED_UTILIZATION;
    if (degraded) this.#degradedSince ??= now;
    else this.#degradedSince = undefined;
    return {
      degraded,
      degradedSinceMs: this.#degradedSince === undefined ? null : Math.round(now - this.#degradedSince),
      reasons: degraded ? ["event_loop_utilization"] : [],
      intervalMs,
      delayP99Ms: Number.isFinite(delayP99Ms) ? delayP99Ms : 0,
      delayMaxMs: Number.isFinite(delayMaxMs) ? delayMaxMs : 0,
      utilization: round(elu.utilization, 3),
      cpuCoreRatio: round(cpuCoreRatio, 3),
      cpuBreakdown: {
        mainThreadCoreRatio: round(cpuCoreRatio, 3),
        hostUtilization: round(Math.min(1, (loadavg()[0] ?? 0) / cores), 3),
        hostCpuCount: cores,
      },
    };
  }

  /** Stops the delay histogram. */
  stop(): void {
    this.#histogram.disable();
  }
}
