import { execFile, execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { promisify } from "node:util";
import { onProcessExit } from "./managed-process.ts";

const execFileAsync = promisify(execFile);

/**
 * A network namespace joined to the host by a veth pair on a private /30: the host side
 * gets `.1`, the namespace side `.2`. A process run inside it (`exec(...)` prefix) reaches
 * the host only through the veth, so a gateway sees it as a remote (non-loopback) peer.
 */
export interface NetNamespace {
  /** Namespace name (`ip netns exec <name> …`). */
  readonly name: string;
  /** Host-side veth interface name. */
  readonly hostInterface: string;
  /** Host-side address (what a host listener binds; what the namespace connects to). */
  readonly hostIp: string;
  /** Namespace-side address (the peer address the host sees). */
  readonly nsIp: string;
  /** `/30` prefix in CIDR notation, e.g. `10.77.12.4/30`. */
  readonly subnet: string;
  /** Argv prefix running a command inside the namespace: `["ip", "netns", "exec", name]`. */
  readonly execPrefix: readonly string[];
  /** Deletes the namespace (which destroys the veth pair) and the host interface if left. Idempotent. */
  destroy(): Promise<void>;
}

async function ip(args: readonly string[]): Promise<string> {
  const { stdout } = await execFileAsync("ip", [...args], { timeout: 15_000 });
  return stdout;
}

function ipSync(args: readonly string[]): void {
  try {
    execFileSync("ip", [...args], { stdio: "ignore", timeout: 10_000 });
  } catch {
    // already gone
  }
}

/**
 * Fails with a clear message when this machine cannot create network namespaces and veth
 * pairs (needs iproute2 and CAP_NET_ADMIN, e.g. root). Never skips.
 */
export async function assertNetnsAvailable(): Promise<void> {
  try {
    await ip(["netns", "list"]);
  } catch (error) {
    throw new Error(
      "`ip netns` is unavailable (install iproute2 and run as root / with CAP_NET_ADMIN): the non-loopback interop " +
        `cases cannot run here. Cause: ${(error as Error).message}`,
    );
  }
}

/**
 * Creates a namespace `cb<hex>` with a veth pair on a random-ish `10.x.y.z/30` (x in 64..250)
 * whose host side is not already in use. The namespace's loopback is brought up too. Cleans
 * up on failure and (best effort) at process exit; call `destroy()` in `afterAll`.
 */
export async function createNetNamespace(): Promise<NetNamespace> {
  await assertNetnsAvailable();
  const suffix = randomBytes(4).toString("hex");
  const name = `cb${suffix}`;
  const hostInterface = `cbh${suffix}`; // <= 15 chars (IFNAMSIZ)
  const nsInterface = `cbn${suffix}`;
  const used = await ip(["-4", "-o", "addr", "show"]);
  let base = "";
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const candidate = `10.${randomInt(64, 251)}.${randomInt(0, 256)}.${randomInt(0, 64) * 4}`;
    const prefix = candidate.split(".").slice(0, 3).join(".");
    if (!used.includes(` ${prefix}.`)) {
      base = candidate;
      break;
    }
  }
  if (base === "") throw new Error("no unused private 10.x /30 found for the test namespace");
  const octets = base.split(".").map(Number);
  const at = (offset: number): string => [octets[0], octets[1], octets[2], (octets[3] ?? 0) + offset].join(".");
  const hostIp = at(1);
  const nsIp = at(2);

  let destroyed: Promise<void> | undefined;
  const destroySync = (): void => {
    ipSync(["netns", "del", name]);
    ipSync(["link", "del", hostInterface]);
  };
  const unregister = onProcessExit(destroySync);
  const destroy = (): Promise<void> => {
    destroyed ??= (async () => {
      await ip(["netns", "del", name]).catch(() => undefined);
      // Deleting the namespace destroys the peer inside it and with it the pair; be sure anyway.
      await ip(["link", "del", hostInterface]).catch(() => undefined);
      unregister();
    })();
    return destroyed;
  };
  try {
    await ip(["netns", "add", name]);
    await ip(["link", "add", hostInterface, "type", "veth", "peer", "name", nsInterface, "netns", name]);
    await ip(["addr", "add", `${hostIp}/30`, "dev", hostInterface]);
    await ip(["link", "set", hostInterface, "up"]);
    await ip(["netns", "exec", name, "ip", "addr", "add", `${nsIp}/30`, "dev", nsInterface]);
    await ip(["netns", "exec", name, "ip", "link", "set", nsInterface, "up"]);
    await ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"]);
  } catch (error) {
    await destroy();
    throw new Error(`could not set up network namespace ${name} on ${base}/30: ${(error as Error).message}`);
  }
  return {
    name,
    hostInterface,
    hostIp,
    nsIp,
    subnet: `${base}/30`,
    execPrefix: ["ip", "netns", "exec", name],
    destroy,
  };
}

/** Names of network namespaces that currently exist (for leak checks). */
export async function listNetNamespaces(): Promise<string[]> {
  const out = await ip(["netns", "list"]).catch(() => "");
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((entry) => entry !== "");
}

/** Whether a network interface with this name exists in the host namespace. */
export async function hostInterfaceExists(name: string): Promise<boolean> {
  try {
    await ip(["link", "show", "dev", name]);
    return true;
  } catch {
    return false;
  }
}

/** `ss -ltn` lines of TCP listeners on `port` (any address), for bind diagnostics. */
export async function listenersOnPort(port: number): Promise<string[]> {
  const { stdout } = await execFileAsync("ss", ["-Hltn", `sport = :${port}`], { timeout: 10_000 });
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
}
