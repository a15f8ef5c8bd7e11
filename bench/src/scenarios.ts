/**
 * Benchmark scenarios. Each returns figures with their samples and conditions; see
 * docs/benchmarks.md for what each measures.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  randomBytes,
  toBase64,
  canonicalJson,
  generateKeyPair,
  govDidFromPublicKey,
  signTxSync,
  toBase64Url,
  toHex,
  type TxEnvelope,
} from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { GovchainNode, bootstrapDemo, initDataDir, readDemoIdentities, readKeyFile } from '@govchain/node';
import { pino } from 'pino';
import { createGovchain, createSeedSigner, verifyProofBundle } from '@govchain/sdk';
import { prepareBatchParallel } from '@govchain/sdk/node';
import { createKey } from '@govchain/node';
import { percentile, type Figure, type Scenario } from './harness.js';
import { notaryPool, presign, presignJob } from './sign.js';
import { BATCH as NETWORK_BATCH, benchNetwork } from './network.js';
import { diskBytes, startupAndCatchUp } from './chain.js';
import { proofs } from './proofs.js';
import { signatures } from './signatures.js';

const quiet = pino({ level: 'warn' });

async function freshNode(opts: { demo?: boolean; maxPendingPerSigner?: number } = {}): Promise<{ node: GovchainNode; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'govchain-bench-'));
  initDataDir({ dir, demo: opts.demo ?? false, chainId: opts.demo ? 'govchain-dev' : 'bench' });
  const node = await GovchainNode.open({ dataDir: dir, blockIntervalMs: 200, logger: quiet, maxPending: 200_000, maxPendingPerSigner: opts.maxPendingPerSigner });
  await node.start();
  if (opts.demo) await bootstrapDemo(node, dir);
  return { node, dir };
}

/**
 * Feed pre-signed envelopes to a node in process (admission on the verifier pool, as the
 * HTTP route does) for `seconds`, keeping at most `window` uncommitted; every transaction
 * counted is durably committed.
 */
async function feed(node: GovchainNode, txs: string[], seconds: number): Promise<{ committed: number; elapsed: number; rejected: number }> {
  let committed = 0;
  const unsub = node.onCommit((e) => (committed += e.receipts.length));
  const window = 40_000;
  let next = 0;
  let rejected = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: 2048 }, async () => {
      while (performance.now() < deadline && next < txs.length) {
        if (next - committed - rejected > window) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        try {
          await node.submit(txs[next++]!);
        } catch {
          rejected++;
        }
      }
    }),
  );
  const submitted = next - rejected;
  while (committed < submitted && performance.now() < deadline + 60_000) await new Promise((r) => setTimeout(r, 5));
  const elapsed = (performance.now() - t0) / 1000;
  unsub();
  return { committed, elapsed, rejected };
}

let notaryTxs: string[] | undefined;

/** Node-level throughput, notary mix (did:key signers), and storage per transaction. */
export const nodeNotary: Scenario = {
  name: 'node: notary mix',
  repeat: true,
  async run({ quick }) {
    // The target is a rate sustained for 30 s; 400,000 transactions last 30 s up to
    // 13,300 tx/s (in a full run they are signed anyway, for the 1,000,000-transaction chain).
    const seconds = quick ? 4 : 30;
    const count = quick ? 50_000 : 400_000;
    notaryTxs ??= (await notaryPool(count)).map((t) => t.envelope);
    const { node, dir } = await freshNode();
    const r = await feed(node, notaryTxs, seconds);
    await node.stop();
    const bytes = diskBytes(join(dir, 'db'));
    rmSync(dir, { recursive: true, force: true });
    if (r.rejected > 0) process.stderr.write(`  (${r.rejected} submissions refused: mempool full)\n`);
    return [
      {
        id: 'node.tps.notary',
        name: 'node: signed tx/s, notary mix',
        unit: 'tx/s',
        samples: [r.committed / r.elapsed],
        better: 'higher',
        conditions: `notary.anchor by 64 did:key signers (~${notaryTxs[0]!.length} B envelopes), pre-signed, fed in process for ${seconds} s, admission on ${availableParallelism()} verifier threads, every tx durably committed (fsync per block), blocks of <=5,000 tx or 200 ms`,
      },
      {
        id: 'storage.bytes_per_tx',
        name: 'storage per transaction',
        unit: 'bytes',
        samples: [bytes / Math.max(1, r.committed)],
        better: 'lower',
        conditions: 'LMDB files after the notary run: envelope, receipt, log nodes, state-map nodes, state value, block, checkpoint',
      },
    ];
  },
};

/** Node-level throughput, identity mix: identity officers registering citizens (did:gov signers). */
export const nodeIdentity: Scenario = {
  name: 'node: identity mix',
  repeat: true,
  async run({ quick }) {
    const seconds = quick ? 3 : 8;
    const { node, dir } = await freshNode({ demo: true });
    const officer = readDemoIdentities(dir).find((i) => i.roles?.includes('identity_officer'))!;
    const k = readKeyFile(officer.keyFile);
    // Each registration carries a fresh key pair, so pre-signing costs more than feeding:
    // sign only what the run can commit (~3,000 tx/s here, with a margin).
    const txs = await presignJob({ chain: 'govchain-dev', kind: 'register-citizen', signers: [{ seed: toBase64(k.seed), did: k.did, kid: k.kid }] }, quick ? 8_000 : 32_000);
    const r = await feed(node, txs, seconds);
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    return [
      {
        id: 'node.tps.identity',
        name: 'node: signed tx/s, identity mix',
        unit: 'tx/s',
        samples: [r.committed / r.elapsed],
        better: 'higher',
        conditions: `identity.register_citizen signed by an identity officer (did:gov key resolved from state at admission and re-checked at execution; role checks), ${seconds} s, durable`,
      },
    ];
  },
};

/** Submit signed envelopes and wait until each committed with status ok (setup steps of a benchmark). */
async function commitAll(node: GovchainNode, txs: TxEnvelope[]): Promise<void> {
  const receipts = await Promise.all(txs.map(async (t) => node.waitForCommit((await node.submit(canonicalJson(t))).txid, 120_000)));
  const failed = receipts.find((r) => r.status !== 'ok');
  if (failed !== undefined) throw new Error(`benchmark set-up transaction failed: ${failed.code}`);
}

/**
 * Node-level throughput, land-transfer mix: transfers signed by seller and buyer (two
 * did:gov signatures, both parties' registrations checked), then approved by a land
 * registrar (share arithmetic, parcel history entry). Proposals and approvals run as two
 * timed phases so that every approval finds its proposal committed.
 */
export const nodeLand: Scenario = {
  name: 'node: land mix',
  repeat: true,
  async run({ quick }) {
    const owners = 200;
    const count = quick ? 3_000 : 4_000;
    // One registrar signs every approval: lift the per-signer mempool share for this run.
    const { node, dir } = await freshNode({ demo: true, maxPendingPerSigner: 200_000 });
    const ids = readDemoIdentities(dir);
    const officer = readKeyFile(ids.find((i) => i.roles?.includes('identity_officer'))!.keyFile);
    const registrar = readKeyFile(ids.find((i) => i.roles?.includes('land_registrar'))!.keyFile);
    const chain = node.chainId;
    const people = Array.from({ length: owners }, () => {
      const pair = generateKeyPair();
      const did = govDidFromPublicKey(chain, pair.publicKey);
      return { seed: pair.seed, publicKey: pair.publicKey, did, kid: `${did}#key-1` };
    });
    const nonce = () => toHex(randomBytes(8));
    await commitAll(
      node,
      people.map((p) => signTxSync({ chain, type: 'identity.register_citizen', signer: officer.did, nonce: nonce(), payload: { publicKey: toBase64Url(p.publicKey), commitments: { name: toHex(randomBytes(32)) } } }, [officer])),
    );
    await commitAll(
      node,
      people.map((p, i) =>
        signTxSync({ chain, type: 'land.register_parcel', signer: registrar.did, nonce: nonce(), payload: { id: `P-${i}`, area: 500, landUse: 'residential', geometryDigest: toHex(randomBytes(32)), owners: [{ holder: p.did, share: '1/1' }] } }, [registrar]),
      ),
    );
    const signers = people.map((p) => ({ seed: toBase64(p.seed), did: p.did, kid: p.kid }));
    const proposals = await presignJob({ chain, kind: 'land-propose', signers }, count);
    const approvals = await presignJob({ chain, kind: 'land-approve', signers: [{ seed: toBase64(registrar.seed), did: registrar.did, kid: registrar.kid }] }, count);
    let ok = 0;
    const unsub = node.onCommit((e) => (ok += e.receipts.filter((r) => r.status === 'ok').length));
    const a = await feed(node, proposals, 120);
    const b = await feed(node, approvals, 120);
    unsub();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    if (ok < 2 * count) throw new Error(`land mix: only ${ok} of ${2 * count} transactions succeeded`);
    return [
      {
        id: 'node.tps.land',
        name: 'node: signed tx/s, land-transfer mix',
        unit: 'tx/s',
        samples: [(a.committed + b.committed) / (a.elapsed + b.elapsed)],
        better: 'higher',
        conditions: `${count.toLocaleString('en')} land.propose_transfer (signed by seller and buyer: 2 did:gov signatures, parties' registrations checked) then ${count.toLocaleString('en')} land.approve_transfer by a land registrar (exact share arithmetic, parcel history entry), ${owners} owners and parcels, price 0 (no transfer-tax invoice), pre-signed, fed in process, durable; proposals ${(a.committed / a.elapsed).toFixed(0)} tx/s, approvals ${(b.committed / b.elapsed).toFixed(0)} tx/s`,
      },
    ];
  },
};

function runLoad(url: string, file: string, connections: number, mode: 'fire' | 'commit' | `batch:${number}`, rate?: number): Promise<{ accepted: number; errors: number; seconds: number; latenciesMs?: number[] }> {
  return new Promise((resolve, reject) => {
    const args = [new URL('./http-load.js', import.meta.url).pathname, url, file, String(connections), mode];
    if (rate !== undefined) args.push(String(rate));
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited ${code}`))));
  });
}

/** Throughput through the HTTP API, and commit latency at a steady rate. */
export const http: Scenario = {
  name: 'HTTP API',
  repeat: true,
  async run({ quick }) {
    // 40,000 per route: a steady window of >= 8 s at today's rates, and the default run stays under 15 min.
    const count = quick ? 10_000 : 40_000;
    const txs = await presign('bench', count);
    const { node, dir } = await freshNode();
    const app = await createApiServer({ node, rateLimit: false }); // measuring capacity, not abuse limits
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const file = join(dir, 'envelopes.json');
    writeFileSync(file, JSON.stringify(txs));
    let committed = 0;
    const unsub = node.onCommit((e) => (committed += e.receipts.length));
    const t0 = performance.now();
    const load = await runLoad(url, file, 64, 'fire');
    while (committed < load.accepted && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 10));
    const elapsed = (performance.now() - t0) / 1000;
    const singleCommitted = committed;
    unsub();
    // The same load through POST /v1/txs/batch, BATCH envelopes per request, fewer
    // connections, on a fresh node of its own (as large a chain as the run above started on).
    const BATCH = 100;
    const b = await freshNode();
    const bApp = await createApiServer({ node: b.node, rateLimit: false });
    await bApp.listen({ host: '127.0.0.1', port: 0 });
    const bFile = join(b.dir, 'envelopes.json');
    writeFileSync(bFile, JSON.stringify(await presign('bench', count)));
    let batchedCommitted = 0;
    const bUnsub = b.node.onCommit((e) => (batchedCommitted += e.receipts.length));
    const t1 = performance.now();
    const batched = await runLoad(`http://127.0.0.1:${(bApp.server.address() as { port: number }).port}`, bFile, 8, `batch:${BATCH}`);
    while (batchedCommitted < batched.accepted && performance.now() - t1 < 120_000) await new Promise((r) => setTimeout(r, 10));
    const batchedElapsed = (performance.now() - t1) / 1000;
    bUnsub();
    await bApp.close();
    await b.node.stop();
    rmSync(b.dir, { recursive: true, force: true });
    const rate = quick ? 1000 : 2000;
    const lt = await presign('bench', rate * (quick ? 3 : 6));
    writeFileSync(file, JSON.stringify(lt));
    const lat = await runLoad(url, file, 512, 'commit', rate);
    const sorted = (lat.latenciesMs ?? []).sort((a, b) => a - b);
    await app.close();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    return [
      {
        id: 'http.tps',
        name: 'HTTP API: signed tx/s',
        unit: 'tx/s',
        samples: [singleCommitted / elapsed],
        better: 'higher',
        conditions: `${singleCommitted.toLocaleString('en')} POST /v1/txs (notary mix) from a separate process, 64 keep-alive connections, ${load.errors} errors, all committed durably`,
      },
      {
        id: 'http.tps.batch',
        name: `HTTP API: signed tx/s, batched ${BATCH} per request`,
        unit: 'tx/s',
        samples: [batchedCommitted / batchedElapsed],
        better: 'higher',
        conditions: `${batchedCommitted.toLocaleString('en')} envelopes in POST /v1/txs/batch requests of ${BATCH} (notary mix) from a separate process, 8 keep-alive connections, ${batched.errors} refused, all committed durably (a fresh node, as for the single-envelope row)`,
      },
      { id: 'latency.p50', name: 'commit latency p50', unit: 'ms', samples: [percentile(sorted, 50)], better: 'lower', conditions: `POST /v1/txs?wait=commit at a steady ${rate} tx/s, ${sorted.length} transactions, block interval 200 ms` },
      { id: 'latency.p99', name: 'commit latency p99', unit: 'ms', samples: [percentile(sorted, 99)], better: 'lower', conditions: 'same run' },
    ];
  },
};

/** Single-node checkpoint certification: signed in the commit of its block. */
export const certification: Scenario = {
  name: 'checkpoint certification',
  repeat: true,
  async run({ quick }) {
    const { node, dir } = await freshNode();
    const txs = await presign('bench', quick ? 15 : 20);
    const lat: number[] = [];
    for (const t of txs) {
      const t0 = performance.now();
      const { txid } = await node.submit(t);
      const r = await node.waitForCommit(txid);
      // Certified when a checkpoint covering its leaf is served.
      const cp = node.latestCheckpoint();
      if (cp === undefined || cp.checkpoint.size <= node.getTx(r.txid)!.leafIndex) throw new Error('commit without certified checkpoint');
      lat.push(performance.now() - t0);
    }
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    lat.sort((a, b) => a - b);
    return [
      { id: 'certify.single.p50', name: 'submit to certified checkpoint, 1 validator (p50)', unit: 'ms', samples: [percentile(lat, 50)], better: 'lower', digits: 1, conditions: 'one transaction at a time, block interval 200 ms: the checkpoint is signed and stored in the same LMDB transaction as its block' },
    ];
  },
};

/**
 * Hybrid anchoring (docs/integration.md): 10^6 record digests -> batch tree (two worker
 * threads) -> one notary.anchor_batch committed and certified -> every record's proof as
 * a JSON line. The record proofs are generated, not written to disk.
 */
export const batchAnchoring: Scenario = {
  name: 'batch anchoring',
  repeat: true,
  async run({ quick }) {
    const count = quick ? 100_000 : 1_000_000;
    const digests = randomBytes(count * 32);
    const { node, dir } = await freshNode();
    const app = await createApiServer({ node });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const key = createKey();
      const sdk = createGovchain({ url, signer: createSeedSigner(key.seed, key.did, key.kid), chainId: 'bench' });
      const t0 = performance.now();
      const prepared = await prepareBatchParallel(digests);
      const tTree = performance.now();
      const batch = await sdk.notary.anchorBatch({ digests: prepared, label: 'bench batch' });
      const tCommit = performance.now();
      let bytes = 0;
      let maxBytes = 0;
      for (let i = 0; i < count; i++) {
        const line = batch.proofJson(i);
        bytes += line.length + 1;
        if (line.length > maxBytes) maxBytes = line.length;
      }
      const tProofs = performance.now();
      const one = batch.recordBundle(count - 1);
      verifyProofBundle(one, { trustedVkeys: node.vkeys });
      const n = count.toLocaleString('en');
      const cond = `${n} random digests, block interval 200 ms, one validator`;
      return [
        { id: 'batch.total', name: `batch anchoring of ${n} digests (total)`, unit: 's', samples: [(tProofs - t0) / 1000], better: 'lower', digits: 2, conditions: `${cond}: tree + one tx committed and certified + all record proofs as JSON (${(bytes / 2 ** 20).toFixed(0)} MiB)` },
        { id: 'batch.tree', name: 'batch anchoring: tree', unit: 's', samples: [(tTree - t0) / 1000], better: 'lower', digits: 2, conditions: 'RFC 6962 tree, two worker threads' },
        { id: 'batch.commit', name: 'batch anchoring: commit and certification', unit: 's', samples: [(tCommit - tTree) / 1000], better: 'lower', digits: 2, conditions: 'one notary.anchor_batch over HTTP, wait for commit and a certified checkpoint' },
        { id: 'batch.proofs', name: 'batch anchoring: all record proofs', unit: 's', samples: [(tProofs - tCommit) / 1000], better: 'lower', digits: 2, conditions: 'one JSON line per record (batch section)' },
        { id: 'batch.proof_bytes', name: 'batch record proof size', unit: 'B', samples: [maxBytes], better: 'lower', digits: 0, conditions: 'largest record-specific proof (the batch section, JSON)' },
        { id: 'batch.bundle_bytes', name: 'batch record self-contained bundle', unit: 'B', samples: [JSON.stringify(one).length], better: 'lower', digits: 0, conditions: 'shared bundle (tx, receipt, log proof, checkpoint, vkeys) + batch section' },
      ];
    } finally {
      await app.close();
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** The 4-validator network on this machine (bench/src/network.ts). */
const network: Scenario = {
  name: 'network: 4 validators over NATS JetStream',
  repeat: false,
  async run({ quick }) {
    const n = await benchNetwork({ quick });
    const where = `3 nats-server (JetStream, R3 streams), 4 validator processes and 1 observer on this one machine; pre-signed notary txs POSTed over HTTP to the 4 validators`;
    return [
      { id: 'network.tps', name: 'network: signed tx/s, 4 validators', unit: 'tx/s', samples: [n.txPerSecond], better: 'higher', conditions: `${n.transactions} transactions, POST /v1/txs/batch requests of ${NETWORK_BATCH} envelopes (4 connections per validator), fire-and-forget (202), timed until the observer committed all; ${where}` },
      { id: 'network.latency.p50', name: 'network: commit latency p50', unit: 'ms', samples: [n.commitP50Ms], better: 'lower', conditions: `POST ?wait=commit at a steady ${n.commitRate} tx/s over the validators` },
      { id: 'network.latency.p99', name: 'network: commit latency p99', unit: 'ms', samples: [n.commitP99Ms], better: 'lower', conditions: 'same run' },
      { id: 'network.certify.mean', name: 'network: checkpoint certification, mean', unit: 'ms', samples: [n.certifyMeanMs], better: 'lower', conditions: `block durable on validator-1 -> 3 of 4 matching signatures collected there (p99 <= ${n.certifyP99BoundMs} ms, histogram bound)` },
    ];
  },
};

export const allScenarios: Scenario[] = [signatures, proofs, batchAnchoring, nodeNotary, nodeIdentity, nodeLand, startupAndCatchUp, http, certification, network];
