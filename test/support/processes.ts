/** Test helpers for real processes: the govchain CLI and a node started with it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Path of the built CLI. */
export const CLI = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', 'packages', 'cli', 'dist', 'main.js');

/** Run the CLI to completion. */
export function govchain(args: string[], opts: { env?: Record<string, string>; input?: string; cwd?: string } = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'warn', ...opts.env },
    ...(opts.input === undefined ? {} : { input: opts.input }),
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A node process started with `govchain start`. */
export interface NodeProcess {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Start `govchain start --data DIR --http 127.0.0.1:PORT` and wait until it answers. */
export async function startNodeProcess(dir: string, port: number, extra: string[] = []): Promise<NodeProcess> {
  const child = spawn(process.execPath, [CLI, 'start', '--data', dir, '--http', `127.0.0.1:${port}`, '--json', ...extra], {
    // Tests drive nodes far harder than one client should (thousands of requests from
    // 127.0.0.1): abuse limits are off here and tested in-process (test/abuse*.test.ts).
    env: { ...process.env, GOVCHAIN_LOG_LEVEL: 'warn', GOVCHAIN_RATE_LIMIT_IP: '0', GOVCHAIN_RATE_LIMIT_SIGNER: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node exited with ${child.exitCode}: ${stderr}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`node did not become ready: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
