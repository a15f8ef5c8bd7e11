/**
 * Start-up and catch-up of a node far behind (issue 10): one chain of many committed
 * transactions, built once per bench invocation through the node's real path for blocks
 * it did not admit itself (the path of a node replaying the ordering stream), then
 *  (a) the start-up of that node (open + the start-up verification of every block), and
 *  (b) a fresh observer node catching up from it as a peer (GovchainNode.catchUpFromPeers:
 *      blocks fetched over HTTP, re-executed, checked against the certified checkpoint).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockHandler, OrderedBlock, OrderedTx, Orderer, OrderingPosition } from '@govchain/ordering';
import { createApiServer } from '@govchain/api';
import { ChainStore, GovchainNode, dataPaths, initDataDir, readGenesis, verifyStore } from '@govchain/node';
import { pino } from 'pino';
import type { Figure, Scenario } from './harness.js';
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
  signSeconds: number;
}

/**
 * Build a chain of `count` notary.anchor transactions (64 did:key signers, pre-signed on all
 * cores: the shared pool of sign.ts) in a fresh single-validator data folder: the node executes the blocks as a node
 * replaying the ordering stream does (stateless checks of every transaction on the verifier
 * threads, execution, durable commit of each block with its signed checkpoint).
 */
export async function buildChain(count: number): Promise<BuiltChain> {
  const t0 = performance.now();
  const txs = await notaryPool(count);
  releaseNotaryPool();
  const signSeconds = (performance.now() - t0) / 1000;
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
  if (head.logSize !== count) throw new Error(`chain build: ${head.logSize} of ${count} transactions committed`);
  return { dir, txs: count, blocks: blocks.length, replaySeconds, signSeconds };
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

/**
 * Catch up a fresh observer from the node over `chain.dir` served as a peer (HTTP API on
 * 127.0.0.1, same process). Returns the seconds catchUpFromPeers took.
 */
async function catchUpFromPeer(peerNode: GovchainNode, txs: number): Promise<number> {
  const app = await createApiServer({ node: peerNode, rateLimit: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const dir = observerDir(peerNode.dataDir);
  const node = await GovchainNode.open({ dataDir: dir, logger: quiet, peers: [url], orderer: replayOrderer([]) });
  try {
    await node.start(); // the genesis block, computed locally
    const head = node.head()!;
    const t0 = performance.now();
    const pos = await node.catchUpFromPeers({ height: head.height, time: head.time });
    const seconds = (performance.now() - t0) / 1000;
    const cp = node.latestCheckpoint();
    if (pos.height !== peerNode.head()!.height || cp?.checkpoint.size !== txs) throw new Error(`catch-up stopped at height ${pos.height} (certified size ${cp?.checkpoint.size ?? 'none'})`);
    return seconds;
  } finally {
    await node.stop();
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start-up and catch-up of a node 1,000,000 transactions behind (quick: 20,000). */
export const startupAndCatchUp: Scenario = {
  name: 'start-up and catch-up',
  repeat: false,
  async run({ quick }) {
    const count = quick ? 20_000 : 1_000_000;
    const chain = await buildChain(count);
    // Quick mode (CI) also runs the full audit of the built chain: the path builds a real chain.
    if (quick) await auditChain(chain.dir);
    const n = count.toLocaleString('en');
    const where = `${n} notary.anchor txs (64 did:key signers) in ${chain.blocks} blocks of ${BLOCK_TXS.toLocaleString('en')}, one validator`;
    try {
      const bytes = diskBytes(dataPaths(chain.dir).db);
      const startups: number[] = [];
      let node: GovchainNode | undefined;
      const startRuns = quick ? 2 : 1;
      for (let i = 0; i < startRuns; i++) {
        await node?.stop();
        const t0 = performance.now();
        node = await GovchainNode.open({ dataDir: chain.dir, logger: quiet, orderer: replayOrderer([]) });
        await node.start();
        startups.push((performance.now() - t0) / 1000);
      }
      const catchUp = await catchUpFromPeer(node!, count);
      await node!.stop();
      const figures: Figure[] = [
        {
          id: 'catchup.stream.tps',
          name: `catch-up by replay of the ordering stream, ${n} txs behind`,
          unit: 'tx/s',
          samples: [count / chain.replaySeconds],
          better: 'higher',
          digits: 0,
          conditions: `${where}; blocks handed to a fresh node as its orderer delivers them (in memory: the JetStream fetch is not included), stateless checks of every tx on ${availableParallelism()} verifier threads, execution, durable commit; ${chain.replaySeconds.toFixed(1)} s in all (this run builds the chain the next rows use; pre-signing took ${chain.signSeconds.toFixed(0)} s, not counted)`,
        },
        {
          id: 'startup.seconds',
          name: `node start-up with ${n} transactions`,
          unit: 's',
          samples: startups,
          better: 'lower',
          digits: 2,
          conditions: `the chain above (${(bytes / 2 ** 20).toFixed(0)} MiB of LMDB): open the store and re-verify every txid, receipt, block link, log root and current state value (the check a node runs at every start), until the node is ready; ${startRuns === 1 ? 'one run (each takes about a minute)' : `${startRuns} runs`}`,
        },
        {
          id: 'catchup.peer.tps',
          name: `catch-up from a peer, ${n} txs behind`,
          unit: 'tx/s',
          samples: [count / catchUp],
          better: 'higher',
          digits: 0,
          conditions: `a fresh observer (no validator key) runs catchUpFromPeers: checks the peer's certified checkpoint against the genesis validators, fetches all ${chain.blocks} blocks over HTTP (GET /v1/blocks/<h>/txs, the peer's API in the same process on the same cores), re-executes them with the stateless checks and compares its checkpoint with the certified one; ${catchUp.toFixed(1)} s in all; one run`,
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
      return figures;
    } finally {
      rmSync(chain.dir, { recursive: true, force: true });
    }
  },
};
