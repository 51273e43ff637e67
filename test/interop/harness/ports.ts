import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Ports one OpenClaw gateway occupies above its base port: browser control at base+2 and
 * its CDP range up to base+110. OpenClaw asks for >= 120 ports between two gateways.
 */
export const GATEWAY_PORT_SPAN = 111;

/** Width of one reserved port block; blocks never overlap, so two bases are >= 200 apart. */
const BLOCK_SIZE = 200;
/** First port searched for blocks (loopback only). */
const FIRST_BLOCK_PORT = 10_000;
const LOCK_DIR = join(tmpdir(), "clawbridge-interop-ports");

/**
 * Start of the kernel's ephemeral port range (default 32768). Blocks stay below it: a gateway
 * binds its port ~15-30 s after our free-check, and an ephemeral port handed to some other
 * process's outgoing connection or `listen(0)` in between would make it fail with EADDRINUSE.
 */
function ephemeralRangeStart(): number {
  try {
    const first = Number.parseInt(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0] ?? "", 10);
    return Number.isInteger(first) && first > FIRST_BLOCK_PORT + BLOCK_SIZE ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** A reserved block of loopback ports; call `release()` when the process using it has exited. */
export interface PortBlock {
  /** First port of the block (use as the gateway's base port). */
  readonly basePort: number;
  /** Frees the block's cross-process reservation. Idempotent. */
  release(): void;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, "wx");
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  let holder = 0;
  try {
    holder = Number.parseInt(readFileSync(path, "utf8").trim(), 10);
  } catch {
    return false;
  }
  if (Number.isInteger(holder) && holder > 0 && pidAlive(holder)) return false;
  try {
    unlinkSync(path);
  } catch {
    return false;
  }
  return tryLock(path);
}

/**
 * Reserves a block of `span` (default {@link GATEWAY_PORT_SPAN}) consecutive free loopback ports
 * between 10000 and the start of the kernel's ephemeral range, checked by binding each one, and
 * locked across processes with a pid file in the OS temp dir so concurrent test workers never
 * pick overlapping blocks. Blocks start every 200 ports, so two gateways' base ports are always
 * >= 200 apart.
 */
export async function reservePortBlock(span = GATEWAY_PORT_SPAN): Promise<PortBlock> {
  if (span > BLOCK_SIZE) throw new Error(`span ${span} exceeds block size ${BLOCK_SIZE}`);
  mkdirSync(LOCK_DIR, { recursive: true });
  const blocks = Math.floor((ephemeralRangeStart() - FIRST_BLOCK_PORT) / BLOCK_SIZE);
  const offset = Math.floor(Math.random() * blocks);
  for (let i = 0; i < blocks; i += 1) {
    const basePort = FIRST_BLOCK_PORT + ((offset + i) % blocks) * BLOCK_SIZE;
    const lockPath = join(LOCK_DIR, `${basePort}.lock`);
    if (!tryLock(lockPath)) continue;
    let free = true;
    for (let port = basePort; port < basePort + span && free; port += 1) free = await portFree(port);
    const release = (): void => {
      try {
        unlinkSync(lockPath);
      } catch {
        // already released
      }
    };
    if (free) return { basePort, release };
    release();
  }
  throw new Error(`no free block of ${span} loopback ports between ${FIRST_BLOCK_PORT} and ${ephemeralRangeStart()}`);
}
