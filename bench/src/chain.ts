/**
 * Start-up and catch-up of a node far behind (issue 10): one chain of many committed
 * transactions, built once per bench invocation through the node's real path for blocks
 * it did not admit itself (the path of a node replaying the ordering stream), then
 *  (a) the start-up of that node (open + the start-up verification of every block), and
 *  (b) a fresh observer node catching up from it as a peer (GovchainNode.catchUpFromPeers:
 *      blocks fetched over HTTP, re-executed, checked against the certified checkpoint).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockHandler, OrderedBlock, OrderedTx, Orderer, OrderingPosition } from '@govchain/ordering';
import { ChainStore, GovchainNode, dataPaths, initDataDir, readGenesis, verifyStore } from '@govchain/node';
import { pino } from 'pino';
import type { Scenario } from './harness.js';
import { notaryPool, releaseNotaryPool } from './sign.js';

const quiet = pino({ level: 'error' });

/** Transactions per block of the built chain: the solo orderer's default block limit. */
const BLOCK_TXS = 5000;

/** Bytes actually allocated under `dir` (sparse files count what they use). */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = statSync(p);
    total += s.isDirectory() ? diskBytes(p) : s.blocks * 512;
  }
  return total;
}

/**
 * An orderer that delivers a fixed sequence of blocks and accepts no submissions: it stands
 * for the ordering stream a node reads after being down (the JetStream fetch itself is not
 * part of it). Blocks at or below the node's position are skipped, as a stream consumer would.
 */
export function replayOrderer(blocks: readonly OrderedBlock[]): Orderer & { delivered: Promise<void> } {
  let closed = false;
  let resolveDelivered!: () => void;
  let rejectDelivered!: (e: Error) => void;
  const delivered = new Promise<void>((res, rej) => {
    resolveDelivered = res;
    rejectDelivered = rej;
  });
  delivered.catch(() => {}); // the caller may never wait for it (a node that is only opened)
  return {
    kind: 'replay',
    delivered,
    async submit() {
      throw new Error('the replay orderer accepts no submissions');
    },
    async start(from: OrderingPosition, onBlock: BlockHandler) {
      void (async () => {
        for (const b of blocks) {
          if (closed) return;
          if (b.height > from.height) await onBlock(b);
        }
      })().then(resolveDelivered, rejectDelivered);
    },
    pending: () => 0,
    async close() {
      closed = true;
    },
  };
}

/** `txs` cut into blocks of {@link BLOCK_TXS} from height 2 (block 1 is the genesis block), 200 ms apart. */
export function cutBlocks(txs: readonly OrderedTx[], startMs: number): OrderedBlock[] {
  const blocks: OrderedBlock[] = [];
  for (let i = 0; i < txs.length; i += BLOCK_TXS) {
    const height = blocks.length + 2;
    blocks.push({ height, time: new Date(startMs + height * 200).toISOString(), txs: txs.slice(i, i + BLOCK_TXS) });
  }
  return blocks;
}

/** Resolve once `node` has durably committed height `height`. */
function committedTo(node: GovchainNode, height: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if ((node.head()?.height ?? 0) >= height) return resolve();
    const timer = setInterval(() => {
      const why = node.faultReason();
      if (why !== undefined) {
        clearInterval(timer);
        unsub();
        reject(new Error(`node halted while replaying: ${why}`));
      }
    }, 500);
    const unsub = node.onCommit((e) => {
      if (e.header.height >= height) {
        clearInterval(timer);
        unsub();
        resolve();
      }
    });
  });
}

/** A chain built by {@link buildChain}: its data folder and what it holds. */
export interface BuiltChain {
  dir: string;
  txs: number;
  blocks: number;
  /** Seconds from the first block handed to the node until the last was durable. */
  replaySeconds: number;
}

/** Transactions of the chain of the start-up and catch-up rows. */
const chainTxs = (quick: boolean): number => (quick ? 10_000 : 1_000_000);

/**
 * Build a chain of the pre-signed transactions `txs` in a fresh single-validator data folder:
 * the node executes the blocks as a node replaying the ordering stream does (stateless checks
 * of every transaction on the verifier threads, execution, durable commit of each block with
 * its signed checkpoint).
 */
export async function buildChain(txs: ReadonlyArray<OrderedTx>): Promise<BuiltChain> {
  const dir = mkdtempSync(join(tmpdir(), 'govchain-bench-chain-'));
  initDataDir({ dir, demo: false, chainId: 'bench' });
  const blocks = cutBlocks(txs, Date.now());
  const orderer = replayOrderer(blocks);
  const node = await GovchainNode.open({ dataDir: dir, logger: quiet, orderer });
  const t1 = performance.now();
  await node.start();
  await Promise.all([orderer.delivered, committedTo(node, blocks.at(-1)!.height)]);
  const replaySeconds = (performance.now() - t1) / 1000;
  const head = node.head()!;
  await node.stop();
  if (head.logSize !== txs.length) throw new Error(`chain build: ${head.logSize} of ${txs.length} transactions committed`);
  return { dir, txs: txs.length, blocks: blocks.length, replaySeconds };
}

/** The full audit (`govchain audit`: every hash, root, signature, state transition) of a built chain. */
export async function auditChain(dir: string): Promise<void> {
  const paths = dataPaths(dir);
  const store = ChainStore.open(paths.db);
  try {
    const report = verifyStore(store, readGenesis(paths.genesis), { mode: 'full' });
    if (!report.ok) throw new Error(`the built chain fails the audit at height ${report.badHeight}: ${report.reason}`);
  } finally {
    await store.close();
  }
}

/**
 * A data folder for a node of the same chain that holds no validator key (an observer):
 * it certifies nothing itself, so catching up must rely on the peer's certified checkpoint.
 */
export function observerDir(of: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'govchain-bench-observer-'));
  const from = dataPaths(of);
  const to = dataPaths(dir);
  mkdirSync(to.keys, { recursive: true, mode: 0o700 });
  copyFileSync(from.genesis, to.genesis);
  writeFileSync(to.config, JSON.stringify({ validatorKeys: [] }, null, 2) + '\n', { mode: 0o600 });
  return dir;
}

/** A peer process (bench/src/peer.ts) serving the chain in `dir`; `close` stops it. */
async function servePeer(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const child = spawn(process.execPath, [new URL('./peer.js', import.meta.url).pathname, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`peer process exited ${code} before serving`)));
  });
  return {
    url,
    async close() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * A fresh observer catches up from the peer at `url`, which serves the chain of `peerDir`
 * (`txs` transactions). Returns the seconds catchUpFromPeers took.
 */
async function catchUpFrom(url: string, peerDir: string, txs: number): Promise<number> {
  const dir = observerDir(peerDir);
  const node = await GovchainNode.open({ dataDir: dir, logger: quiet, peers: [url], orderer: replayOrderer([]) });
  try {
    await node.start(); // the genesis block, computed locally
    const head = node.head()!;
    const t0 = performance.now();
    const pos = await node.catchUpFromPeers({ height: head.height, time: head.time });
    const seconds = (performance.now() - t0) / 1000;
    const cp = node.latestCheckpoint();
    if (cp?.checkpoint.size !== txs || pos.height !== cp.checkpoint.height) throw new Error(`catch-up stopped at height ${pos.height} (certified size ${cp?.checkpoint.size ?? 'none'} of ${txs})`);
    return seconds;
  } finally {
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Start-up and catch-up of a node 1,000,000 transactions behind (quick: 10,000); catch-up
 * from a peer over a chain of 50,000 (quick: 5,000).
 */
export const startupAndCatchUp: Scenario = {
  name: 'start-up and catch-up',
  repeat: false,
  async prepare({ quick }) {
    await notaryPool(chainTxs(quick));
  },
  async run({ quick }) {
    const count = chainTxs(quick);
    const peerCount = quick ? 5_000 : 50_000;
    process.stderr.write(`  (replaying ${count.toLocaleString('en')} pre-signed transactions, then ${peerCount.toLocaleString('en')} for the peer; minutes in the default mode)\n`);
    const t0 = performance.now();
    const txs = await notaryPool(count);
    const signWait = (performance.now() - t0) / 1000;
    const chain = await buildChain(txs);
    const peerChain = await buildChain(txs.slice(0, peerCount)).catch(async (e: unknown) => {
      rmSync(chain.dir, { recursive: true, force: true });
      throw e;
    });
    releaseNotaryPool();
    const n = count.toLocaleString('en');
    const pn = peerCount.toLocaleString('en');
    const where = `${n} notary.anchor txs (64 did:key signers) in ${chain.blocks} blocks of ${BLOCK_TXS.toLocaleString('en')}, one validator`;
    try {
      // Quick mode (CI) also runs the full audit of the built chain: the path builds a real chain.
      if (quick) await auditChain(chain.dir);
      const bytes = diskBytes(dataPaths(chain.dir).db);
      const t1 = performance.now();
      const opened = await GovchainNode.open({ dataDir: chain.dir, logger: quiet, orderer: replayOrderer([]), verifierWorkers: 0 });
      await opened.start();
      const startup = (performance.now() - t1) / 1000;
      await opened.stop();
      const peer = await servePeer(peerChain.dir);
      let catchUp: number;
      try {
        catchUp = await catchUpFrom(peer.url, peerChain.dir, peerCount);
      } finally {
        await peer.close();
      }
      return [
        {
          id: 'catchup.stream.tps',
          name: `catch-up by replay of the ordering stream, ${n} txs behind`,
          unit: 'tx/s',
          samples: [count / chain.replaySeconds],
          better: 'higher',
          digits: 0,
          conditions: `${where}: a fresh node executes the blocks as its orderer delivers them (from memory: the JetStream fetch is not included): stateless checks of every tx on ${availableParallelism()} verifier threads, execution, durable commit of each block with its checkpoint; ${chain.replaySeconds.toFixed(0)} s in all; one run (it builds the chain of the next rows; the transactions were pre-signed beforehand${signWait >= 1 ? `, ${signWait.toFixed(0)} s of it here,` : ''} not counted)`,
        },
        {
          id: 'startup.seconds',
          name: `node start-up with ${n} transactions`,
          unit: 's',
          samples: [startup],
          better: 'lower',
          digits: 2,
          conditions: `the chain above (${(bytes / 2 ** 20).toFixed(0)} MiB of LMDB): open the store and re-verify every txid, receipt, block link, log root and current state value (the check a node runs at every start) until the node is ready; one run (about a minute at 1,000,000 transactions)`,
        },
        {
          id: 'catchup.peer.tps',
          name: `catch-up from a peer, ${pn} txs behind`,
          unit: 'tx/s',
          samples: [peerCount / catchUp],
          better: 'higher',
          digits: 0,
          conditions: `a fresh observer (no validator key) runs catchUpFromPeers against a peer process serving a ${pn}-tx chain built as above: checks the peer's certified checkpoint against the genesis validators, fetches all ${peerChain.blocks} blocks (GET /v1/blocks/<h>/txs), re-executes them with the stateless checks and compares its checkpoint with the certified one; ${catchUp.toFixed(1)} s in all (extrapolated, not measured: ${n} txs at this rate would take ${((count / peerCount) * catchUp / 60).toFixed(1)} min); one run; both processes on the same cores`,
        },
        {
          id: 'storage.bytes_per_tx.chain',
          name: `storage per transaction, ${n}-tx chain`,
          unit: 'bytes',
          samples: [bytes / count],
          better: 'lower',
          conditions: 'LMDB files of the chain above: envelope, receipt, log nodes, state-map nodes, state value, block, checkpoint',
        },
      ];
    } finally {
      rmSync(chain.dir, { recursive: true, force: true });
      rmSync(peerChain.dir, { recursive: true, force: true });
    }
  },
};
