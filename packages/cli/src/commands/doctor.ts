/**
 * `govchain doctor`: check a node's setup and say in plain words what to fix. Checks the
 * data folder, genesis, settings, validator keys (present, private, in the current set),
 * disk space, the stored chain, the clock against the chain and the node, the HTTP port,
 * NATS servers and peers' agreement on checkpoints. Exit 0 when nothing fails, 1 otherwise.
 */
import { existsSync, statSync, statfsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Command } from 'commander';
import { formatVerifierKey, fromBase64, parseCheckpoint, parseSignedNote, toBase64, verifyCheckpointNote } from '@govchain/core';
import { readGovernance } from '@govchain/modules';
import { ChainStore, dataPaths, readGenesis, readKeyFile, readNodeConfig, verifyStore, type Genesis } from '@govchain/node';
import { globals, output } from '../context.js';

/** One finding. */
export interface Finding {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  message: string;
  /** What to do about it (warn and fail). */
  fix?: string;
}

const MIN_FREE_BYTES = 2 * 1024 ** 3;

function tcpReachable(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function fetchText(url: string, timeoutMs = 3000): Promise<{ status: number; text: string; date?: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text(), date: res.headers.get('date') ?? undefined };
  } catch {
    return undefined;
  }
}

/** Run every check; pure function of the data folder and the options (plus the network). */
export async function diagnose(opts: { data: string; node?: string; http?: string; orderer?: string; peers?: string[] }): Promise<Finding[]> {
  const f: Finding[] = [];
  const add = (check: string, status: Finding['status'], message: string, fix?: string): void => void f.push({ check, status, message, ...(fix === undefined ? {} : { fix }) });
  const p = dataPaths(opts.data);

  // Data folder, genesis, settings.
  if (!existsSync(opts.data)) {
    add('data folder', 'fail', `${opts.data} does not exist`, `create a chain with "govchain init --data ${opts.data}" (or --demo), or point --data at the right folder`);
    return f;
  }
  let genesis: Genesis | undefined;
  try {
    genesis = readGenesis(p.genesis);
    add('genesis', 'ok', `chain ${genesis.chainId}, ${genesis.validators.length} genesis validator(s), ${genesis.agencies?.length ?? 0} founding agencies`);
  } catch (e) {
    add('genesis', 'fail', (e as Error).message, existsSync(p.genesis) ? 'restore genesis.json from the network (it must be byte-identical on every node)' : 'run "govchain init" first');
  }
  let validatorKeys: string[] = [];
  try {
    validatorKeys = readNodeConfig(opts.data).validatorKeys;
    add('settings', 'ok', validatorKeys.length === 0 ? 'node.json: no validator key (an observer node)' : `node.json: ${validatorKeys.length} validator key(s)`);
  } catch (e) {
    add('settings', 'fail', (e as Error).message, 'fix the JSON in node.json: {"validatorKeys": ["keys/validator-1.key"]}');
  }

  // The stored chain (read-only) and the current validator set.
  let currentSet: Array<{ name: string; publicKey: string }> = genesis?.validators ?? [];
  let lastBlockTime: string | undefined;
  if (genesis !== undefined && existsSync(p.db)) {
    let store: ChainStore | undefined;
    try {
      store = ChainStore.open(p.db);
      const r = verifyStore(store, genesis, { mode: 'quick' });
      if (r.ok) add('chain', 'ok', `${r.height} blocks, ${store.head()?.logSize ?? 0} transactions, stored data consistent (${r.seconds.toFixed(2)} s)`);
      else add('chain', 'fail', `stored chain is corrupt at height ${r.badHeight}: ${r.reason}`, 'stop the node, run "govchain audit" for details, then restore from a backup or resync from a peer');
      const gov = readGovernance({ get: (m, k) => store!.stateValue(m, k) });
      if (gov !== undefined) currentSet = gov.validators;
      lastBlockTime = store.head()?.time;
    } catch (e) {
      add('chain', 'fail', `cannot open the chain store: ${(e as Error).message}`, 'check that the db/ folder is readable by this user and the disk is not full');
    } finally {
      await store?.close();
    }
  } else if (genesis !== undefined) add('chain', 'ok', 'no blocks yet (the node creates the genesis block on first start)');

  // Validator keys: present, private, in the current set.
  const inSet = new Set(currentSet.map((v) => v.publicKey));
  for (const rel of validatorKeys) {
    const file = join(opts.data, rel);
    try {
      const k = readKeyFile(file);
      if (inSet.has(toBase64(k.publicKey))) add('validator key', 'ok', `${rel} is a validator of the current set (mode 0600)`);
      else add('validator key', 'warn', `${rel} is not in the current validator set; this node will not sign checkpoints with it`, 'ask the member agencies to add it with a governance proposal (add_validator), or remove it from node.json');
    } catch (e) {
      const mode = existsSync(file) ? (statSync(file).mode & 0o777).toString(8) : undefined;
      add('validator key', 'fail', (e as Error).message, mode !== undefined && mode !== '600' ? `run: chmod 600 ${file}` : `put the key file at ${file} or fix node.json`);
    }
  }

  // Disk space.
  try {
    const s = statfsSync(opts.data);
    const free = s.bavail * s.bsize;
    const total = s.blocks * s.bsize;
    const gib = (free / 1024 ** 3).toFixed(1);
    if (free < MIN_FREE_BYTES || free / total < 0.05) add('disk', 'fail', `only ${gib} GiB free on the disk holding ${opts.data}`, 'free space or move the data folder to a larger disk: the node stops committing when the disk is full');
    else add('disk', 'ok', `${gib} GiB free`);
  } catch (e) {
    add('disk', 'warn', `cannot read free space: ${(e as Error).message}`);
  }

  // Clock: never behind the chain; close to the node's.
  if (lastBlockTime !== undefined) {
    const ahead = Date.parse(lastBlockTime) - Date.now();
    if (ahead > 5000) add('clock', 'fail', `this machine's clock is ${(ahead / 1000).toFixed(0)} s behind the last block time`, 'synchronise the clock (e.g. systemd-timesyncd or chrony); block times come from the ordering nodes');
    else add('clock', 'ok', 'not behind the chain');
  }

  // The node's HTTP endpoint.
  if (opts.node !== undefined) {
    const h = await fetchText(`${opts.node}/readyz`);
    if (h === undefined) add('node', 'fail', `no answer from ${opts.node}`, `start the node ("govchain start --data ${opts.data}") or check --node`);
    else if (h.status !== 200) add('node', 'fail', `${opts.node} is not ready: ${h.text.slice(0, 200)}`, 'read the node log; a halted node says why (storage, disagreement with the quorum)');
    else add('node', 'ok', `${opts.node} is ready`);
    if (h?.date !== undefined) {
      const skew = Math.abs(Date.parse(h.date) - Date.now());
      if (skew > 5000) add('clock', 'warn', `this machine and the node differ by ${(skew / 1000).toFixed(0)} s`, 'synchronise both clocks');
    }
  }
  if (opts.http !== undefined) {
    const m = /^(.*):(\d+)$/.exec(opts.http);
    if (m === null) add('port', 'fail', `--http ${opts.http} is not HOST:PORT`, 'e.g. --http 127.0.0.1:8080');
    else {
      const busy = await tcpReachable(m[1]!.replace(/^\[|\]$/g, ''), Number(m[2]));
      const ours = busy ? await fetchText(`http://${opts.http}/v1/status`) : undefined;
      if (!busy) add('port', 'ok', `${opts.http} is free for the node`);
      else if (ours?.status === 200 && ours.text.includes('"chainId"')) add('port', 'ok', `${opts.http} is served by a govchain node`);
      else add('port', 'fail', `${opts.http} is taken by another program`, 'stop that program or start the node with another --http HOST:PORT');
    }
  }

  // NATS servers.
  for (const url of (opts.orderer ?? '').split(',').filter((u) => u.startsWith('nats://'))) {
    const u = new URL(url);
    const ok = await tcpReachable(u.hostname, Number(u.port || 4222));
    add('nats', ok ? 'ok' : 'fail', ok ? `${u.host} reachable` : `cannot reach NATS at ${u.host}`, ok ? undefined : 'check that nats-server runs there with JetStream enabled, and the firewall');
  }

  // Peers: same chain, and their checkpoints verify and agree with ours.
  if ((opts.peers ?? []).length > 0 && genesis !== undefined) {
    const vkeys = currentSet.map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey)));
    const seen = new Map<number, string>();
    for (const peer of opts.peers!) {
      const r = await fetchText(`${peer}/v1/checkpoint`);
      if (r === undefined || r.status !== 200) {
        add('peers', 'warn', `${peer}: no checkpoint (${r === undefined ? 'unreachable' : `HTTP ${r.status}`})`, 'check that the peer runs and its URL is right');
        continue;
      }
      try {
        verifyCheckpointNote(r.text, vkeys, 1);
        const cp = parseCheckpoint(parseSignedNote(r.text).text);
        if (cp.origin !== genesis.chainId) throw new Error(`it serves chain ${cp.origin}`);
        const root = toBase64(cp.rootHash);
        const other = seen.get(cp.size);
        if (other !== undefined && other !== root) add('peers', 'fail', `${peer} disagrees: a different root for size ${cp.size}`, 'stop and investigate: two nodes signed different histories (see docs/network.md)');
        else add('peers', 'ok', `${peer}: checkpoint ${cp.size} verifies`);
        seen.set(cp.size, root);
      } catch (e) {
        add('peers', 'fail', `${peer}: ${(e as Error).message}`, 'the peer is on another chain or signed with unknown keys');
      }
    }
  }
  return f;
}

export function registerDoctor(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('doctor'))
    .description('check this node\'s setup and say what to fix (exit 1 when something fails)')
    .option('--http <host:port>', 'the address the node listens on (checks the port)')
    .option('--orderer <urls>', 'NATS URLs, comma-separated (checks connectivity)')
    .option('--peers <urls>', 'other nodes\' URLs, comma-separated (checks agreement)')
    .option('--check-node', 'also ask the running node at --node')
    .action(async (opts) => {
      const g = globals(opts);
      const findings = await diagnose({
        data: g.data,
        ...(opts.checkNode === true || opts.node !== undefined ? { node: g.node } : {}),
        ...(opts.http !== undefined ? { http: String(opts.http) } : {}),
        ...(opts.orderer !== undefined ? { orderer: String(opts.orderer) } : {}),
        ...(opts.peers !== undefined ? { peers: String(opts.peers).split(',').filter(Boolean) } : {}),
      });
      const failed = findings.filter((x) => x.status === 'fail').length;
      const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
      const text = findings.map((x) => `${mark[x.status]} ${x.check}: ${x.message}${x.fix !== undefined ? `\n     fix: ${x.fix}` : ''}`).join('\n');
      output(g, { ok: failed === 0, findings }, `${text}\n${failed === 0 ? 'No problems found.' : `${failed} problem(s) to fix.`}`);
      if (failed > 0) process.exitCode = 1;
    });
}
