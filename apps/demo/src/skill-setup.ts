import { join } from "node:path";
import type { ExecAllowlistEntry } from "@clawbridge/mock-gateway";
import { runProcess } from "./run-process.js";
import type { SeedLab } from "./seed-lab.js";

/** What `clawbridge skill install --json` reports (the fields the demo uses). */
export interface SkillInstallReport {
  /** Exactly what goes into WN1's exec allowlist. */
  readonly allowlistEntry: { readonly pattern: string; readonly argPattern: string };
  readonly skill: { readonly name: string; readonly version: string; readonly installedTo: string };
  readonly verbs: readonly string[];
}

/**
 * Installs the remote-gateway skill on WN1 the documented way, `clawbridge skill install
 * --remote gw2 --dir <WN1 home>/skills --bin <remote-gateway>`, run with WN1's environment
 * (so it reads WN1's remote profiles), and adds the allowlist entry it prints to WN1's
 * exec allowlist verbatim.
 *
 * @param clawbridgeBin - the built `clawbridge` bin
 * @param remoteGatewayBin - the built `remote-gateway` bin
 */
export async function installSkillOnWn1(lab: SeedLab, clawbridgeBin: string, remoteGatewayBin: string): Promise<SkillInstallReport> {
  const result = await runProcess(
    clawbridgeBin,
    ["skill", "install", "--remote", "gw2", "--dir", join(lab.wn1Home, "skills"), "--bin", remoteGatewayBin, "--json"],
    { env: lab.wn1Env, cwd: lab.wn1Home },
  );
  if (result.code !== 0) throw new Error(`clawbridge skill install exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  const report = JSON.parse(result.stdout) as SkillInstallReport;
  const entry: ExecAllowlistEntry = { pattern: report.allowlistEntry.pattern, argPattern: report.allowlistEntry.argPattern };
  lab.wn1Allowlist.push(entry);
  return report;
}
