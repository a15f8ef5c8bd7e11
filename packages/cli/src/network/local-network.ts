/**
 * A local govchain network on 127.0.0.1 (`govchain network up`): a nats-server cluster
 * with JetStream (Debian's nats-server), the ordering streams replicated on every server,
 * and one `govchain start` process per node (validators, one agency each, and observers),
 * each with its own data folder, NATS user and HTTP port. Used by the CLI, the network
 * tests and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { provisionJetStream } from '@govchain/ordering';
import { initNetworkDirs } from '@govchain/node';
import { natsServerConfig, newNatsPassword, type NatsServerSpec, type NatsUser } from './nats-config.js';

/** The built CLI entry point. */
export const CLI_MAIN = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'main.js');

/** Options of {@link startLocalNetwork}. */
export interface LocalNetworkOptions {
  /** Network folder; created (genesis, keys, configs) when it holds no network yet. */
  dir: string;
  validators?: number;
  observers?: number;
  natsServers?: number;
  chainId?: string;
  demo?: boolean;
  /** Ordering stream limits (for trimming tests). */
  maxMsgs?: number;
  maxAgeMs?: number;
  blockIntervalMs?: number;
  /** Extra environment per node name (e.g. test-only fault injection). */
  nodeEnv?: Record<string, Record<string, string>>;
  /** Log level of the node processes (default warn). */
  logLevel?: string;
  /** nats-server binary (default: `nats-server` on PATH, else /usr/sbin/nats-server). */
  natsServer?: string;
}

/** A running process of the network. */
export interface NetworkProcess {
  name: string;
  url: string;
  child: ChildProcess | undefined;
  log: string;
}

/** A node of the network. */
export interface NetworkNode extends NetworkProcess {
  dir: string;
  validator?: string | undefined;
}

/** A running local network. */
export interface LocalNetwork {
  dir: string;
  chainId: string;
  natsUrls: string[];
  nats: NetworkProcess[];
  nodes: NetworkNode[];
  /** Admin NATS credentials (stream management). */
  admin: { user: string; pass: string };
  node(name: string): NetworkNode;
  /** Stop a node (SIGTERM: clean; SIGKILL: crash) and wait for it to exit. */
  stopNode(name: string, signal?: NodeJS.Signals): Promise<void>;
  /**
   * (Re)start a node and wait until it answers /healthz; `natsUrls` replaces the servers it
   * connects to (e.g. proxies a test can cut, test/faults.slow.test.ts).
   */
  startNode(name: string, env?: Record<string, string>, natsUrls?: string[]): Promise<void>;
  stopNats(index: number, signal?: NodeJS.Signals): Promise<void>;
  startNats(index: number): Promise<void>;
  /** Stop every node, then every NATS server. */
  stop(): Promise<void>;
}

interface NetworkFile {
  chainId: string;
  nodes: Array<{ name: string; validator: string | null; httpPort?: number }>;
  nats?: { servers: NatsServerSpec[]; users: NatsUser[]; sysPass: string };
}

/** Ports this process already handed out: never hand one out twice (the OS may). */
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1, distinct from every other one this process chose. */
export async function freeTcpPort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/** Extra Node.js options for node processes (GOVCHAIN_NODE_EXEC_ARGV, space-separated; e.g. --cpu-prof for profiling). */
function nodeExecArgv(): string[] {
  return (process.env.GOVCHAIN_NODE_EXEC_ARGV ?? '').split(' ').filter((a) => a !== '');
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function natsBinary(explicit?: string): string {
  if (explicit !== undefined) return explicit;
  for (const p of (process.env.PATH ?? '').split(':')) if (p !== '' && existsSync(join(p, 'nats-server'))) return join(p, 'nats-server');
  return '/usr/sbin/nats-server';
}

function exited(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

/** Create (if needed) and start a local network; resolves once every node answers. */
export async function startLocalNetwork(opts: LocalNetworkOptions): Promise<LocalNetwork> {
  const dir = opts.dir;
  const netPath = join(dir, 'network.json');
  if (!existsSync(netPath)) {
    initNetworkDirs({ dir, validators: opts.validators ?? 4, observers: opts.observers ?? 1, demo: opts.demo ?? false, ...(opts.chainId === undefined ? {} : { chainId: opts.chainId }) });
  }
  const net = JSON.parse(readFileSync(netPath, 'utf8')) as NetworkFile;
  const chainId = net.chainId;
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true, mode: 0o700 });

  // NATS: ports, users and configs are chosen once and kept, so a restart resumes.
  if (net.nats === undefined) {
    const count = opts.natsServers ?? 3;
    const servers: NatsServerSpec[] = [];
    for (let i = 1; i <= count; i++) servers.push({ name: `nats-${i}`, port: await freeTcpPort(), clusterPort: await freeTcpPort(), storeDir: join(dir, 'nats', `nats-${i}`) });
    const users: NatsUser[] = [{ user: 'admin', pass: newNatsPassword(), role: 'admin' }];
    for (const n of net.nodes) users.push({ user: n.name, pass: newNatsPassword(), role: n.validator === null ? 'observer' : 'validator', validator: n.validator ?? undefined });
    for (const n of net.nodes) n.httpPort = await freeTcpPort();
    net.nats = { servers, users, sysPass: newNatsPassword() };
    writeFileSync(netPath, JSON.stringify(net, null, 2) + '\n', { mode: 0o600 });
    chmodSync(netPath, 0o600);
    for (const n of net.nodes) {
      const u = users.find((x) => x.user === n.name)!;
      const credPath = join(dir, n.name, 'nats.json');
      writeFileSync(credPath, JSON.stringify({ user: u.user, pass: u.pass }) + '\n', { mode: 0o600 });
      chmodSync(credPath, 0o600);
    }
  }
  const natsSpec = net.nats;
  mkdirSync(join(dir, 'nats'), { recursive: true, mode: 0o700 });
  for (const s of natsSpec.servers) {
    const conf = join(dir, 'nats', `${s.name}.conf`);
    writeFileSync(conf, natsServerConfig(chainId, natsSpec.servers, s, natsSpec.users, natsSpec.sysPass), { mode: 0o600 });
  }
  const natsUrls = natsSpec.servers.map((s) => `nats://127.0.0.1:${s.port}`);
  const admin = natsSpec.users.find((u) => u.role === 'admin')!;
  const bin = natsBinary(opts.natsServer);

  const nats: NetworkProcess[] = natsSpec.servers.map((s, i) => ({ name: s.name, url: natsUrls[i]!, child: undefined, log: join(logs, `${s.name}.log`) }));
  const startNats = async (i: number): Promise<void> => {
    const p = nats[i]!;
    const fd = openSync(p.log, 'a');
    p.child = spawn(bin, ['-c', join(dir, 'nats', `${p.name}.conf`)], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
  };
  const stopNats = async (i: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const p = nats[i]!;
    const done = exited(p.child);
    p.child?.kill(signal);
    await done;
    p.child = undefined;
  };

  const nodes: NetworkNode[] = net.nodes.map((n) => ({
    name: n.name,
    dir: join(dir, n.name),
    validator: n.validator ?? undefined,
    url: `http://127.0.0.1:${n.httpPort}`,
    child: undefined,
    log: join(logs, `${n.name}.log`),
  }));
  const startNode = async (name: string, env: Record<string, string> = {}, urls: string[] = natsUrls): Promise<void> => {
    const node = nodes.find((n) => n.name === name)!;
    const port = new URL(node.url).port;
    const peers = nodes.filter((n) => n !== node).map((n) => n.url);
    const fd = openSync(node.log, 'a');
    node.child = spawn(
      process.execPath,
      [...nodeExecArgv(), CLI_MAIN, 'start', '--data', node.dir, '--http', `127.0.0.1:${port}`, '--orderer', urls.join(','), '--peers', peers.join(','), '--block-interval', String(opts.blockIntervalMs ?? 100)],
      { stdio: ['ignore', fd, fd], env: { ...process.env, GOVCHAIN_LOG_LEVEL: opts.logLevel ?? 'warn', ...opts.nodeEnv?.[name], ...env } },
    );
    closeSync(fd);
    const child = node.child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see ${node.log}`);
      try {
        if ((await fetch(`${node.url}/healthz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} did not start within 60 s; see ${node.log}`);
      await sleep(100);
    }
  };
  const stopNode = async (name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const node = nodes.find((n) => n.name === name)!;
    const done = exited(node.child);
    node.child?.kill(signal);
    await done;
    node.child = undefined;
  };

  const network: LocalNetwork = {
    dir,
    chainId,
    natsUrls,
    nats,
    nodes,
    admin: { user: admin.user, pass: admin.pass },
    node: (name) => nodes.find((n) => n.name === name) ?? (() => { throw new Error(`no node ${name}`); })(),
    stopNode,
    startNode,
    stopNats,
    startNats,
    async stop() {
      await Promise.all(nodes.map((n) => stopNode(n.name)));
      await Promise.all(nats.map((_, i) => stopNats(i)));
    },
  };

  try {
    for (let i = 0; i < nats.length; i++) await startNats(i);
    // Streams: created by the operator (admin) once the JetStream cluster has a leader.
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await provisionJetStream(natsUrls, admin, chainId, { replicas: Math.min(3, nats.length), ...(opts.maxMsgs === undefined ? {} : { maxMsgs: opts.maxMsgs }), ...(opts.maxAgeMs === undefined ? {} : { maxAgeMs: opts.maxAgeMs }) });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`JetStream did not become available: ${(e as Error).message}; see ${logs}`);
        await sleep(300);
      }
    }
    await Promise.all(nodes.map((n) => startNode(n.name)));
  } catch (e) {
    await network.stop().catch(() => {});
    throw e;
  }
  return network;
}
