import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids of the live direct children of `parentPid`, read from `/proc` (Linux). Elsewhere,
 * or if `/proc` is unreadable, an empty list: callers also kill the children they track.
 */
export function childPids(parentPid: number = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the ppid; field 2 (comm) may contain spaces, so split after its ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === parentPid) pids.push(Number(entry));
    } catch {
      // exited while we were scanning
    }
  }
  return pids;
}

/**
 * Signals every direct child of this process: the safety net for processes we did not
 * spawn ourselves (the CLI runs MockNode starts for `system.run`) when the demo is
 * interrupted mid-flow. Returns the pids signalled.
 */
export function signalChildren(signal: NodeJS.Signals): number[] {
  const signalled: number[] = [];
  for (const pid of childPids()) {
    try {
      process.kill(pid, signal);
      signalled.push(pid);
    } catch {
      // already gone
    }
  }
  return signalled;
}
