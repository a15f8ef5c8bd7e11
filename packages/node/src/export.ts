/**
 * `govchain export`: write the chain in documented, versioned formats (docs/formats.md,
 * format `govchain-export` version 1) that another system can import and verify without
 * govchain code: JSON Lines of blocks, transactions with receipts and log leaves,
 * certified checkpoints (signed notes, with witness cosignatures), inclusion proofs of
 * every leaf against the last exported checkpoint, and consistency proofs between
 * successive checkpoints. Reads the store read-only, so it runs beside a live node.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { consistencyProof, formatVerifierKey, fromBase64, GovchainError, inclusionProof, quorumFor, toBase64, type LogNodeReader } from '@govchain/core';
import { readGovernance } from '@govchain/modules';
import { withCosignatures } from './cosignatures.js';
import { dataPaths } from './datadir.js';
import { ChainStore } from './store.js';

/** The export format's name and version (docs/formats.md). */
export const EXPORT_FORMAT = 'govchain-export';
export const EXPORT_VERSION = 1;

/** manifest.json of an export. */
export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  chainId: string;
  height: number;
  logSize: number;
  /** Size of the last exported (certified) checkpoint; proofs are against it. */
  certifiedSize: number;
  validators: { quorum: number; vkeys: string[] };
  files: { [name: string]: { lines: number; description: string } };
}

/** Export the chain of `dataDir` into the (new or empty) folder `outDir`. */
export async function exportChain(dataDir: string, outDir: string): Promise<ExportManifest> {
  const paths = dataPaths(dataDir);
  if (!existsSync(paths.genesis)) throw new GovchainError('node.not_initialised', `no chain in ${dataDir}`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new GovchainError('export.not_empty', `${outDir} is not empty; export into a new folder`);
  mkdirSync(outDir, { recursive: true });
  const store = ChainStore.open(paths.db, { readOnly: true });
  try {
    const head = store.head();
    if (head === undefined) throw new GovchainError('export.empty', 'the chain has no blocks yet; start the node once');
    const certified = (store.meta.get('certified') as number | undefined) ?? 0;
    const reader: LogNodeReader = { getNode: (l, i) => store.logNode(l, i) };
    const blocks: string[] = [];
    const txs: string[] = [];
    const checkpoints: Array<{ size: number; height: number; note: string }> = [];
    for (let h = 1; h <= head.height; h++) {
      const b = store.block(h);
      if (b === undefined) throw new GovchainError('store.corrupt', `block ${h} is missing`);
      blocks.push(JSON.stringify({ height: h, header: b.header, txids: b.txids }));
      for (const txid of b.txids) {
        const t = store.tx(txid)!;
        txs.push(JSON.stringify({ leafIndex: t.leafIndex, txid, envelope: JSON.parse(t.envelope), receipt: store.receipt(t.leafIndex), leaf: toBase64(store.leaf(t.leafIndex)!) }));
      }
      const size = b.header.logSize;
      const note = store.checkpoint(size);
      if (note !== undefined && size <= certified && checkpoints.at(-1)?.size !== size) checkpoints.push({ size, height: h, note: withCosignatures(store, size, note) });
    }
    const last = checkpoints.at(-1)?.size ?? 0;
    const proofs = txs
      .map((line) => JSON.parse(line) as { leafIndex: number; txid: string })
      .filter((t) => t.leafIndex < last)
      .map((t) => JSON.stringify({ txid: t.txid, leafIndex: t.leafIndex, treeSize: last, hashes: inclusionProof(reader, t.leafIndex, last).map(toBase64) }));
    const consistency: string[] = [];
    for (let i = 1; i < checkpoints.length; i++) {
      const from = checkpoints[i - 1]!.size;
      const to = checkpoints[i]!.size;
      if (from === 0) continue;
      consistency.push(JSON.stringify({ from, to, hashes: consistencyProof(reader, from, to).map(toBase64) }));
    }
    const gov = readGovernance({ get: (m, k) => store.stateValue(m, k) });
    const set = gov?.validators ?? [];
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      chainId: store.block(1)!.header.chain,
      height: head.height,
      logSize: head.logSize,
      certifiedSize: last,
      validators: { quorum: set.length === 0 ? 1 : quorumFor(set.length), vkeys: set.map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey))) },
      files: {},
    };
    const write = (name: string, lines: string[], description: string): void => {
      writeFileSync(join(outDir, name), lines.map((l) => l + '\n').join(''));
      manifest.files[name] = { lines: lines.length, description };
    };
    write('blocks.jsonl', blocks, 'one block per line: {height, header, txids}');
    write('transactions.jsonl', txs, 'one log leaf per line, in log order: {leafIndex, txid, envelope, receipt, leaf}');
    write('checkpoints.jsonl', checkpoints.map((c) => JSON.stringify(c)), 'certified checkpoints: {size, height, note}');
    write('inclusion-proofs.jsonl', proofs, 'RFC 6962 inclusion proof of every leaf against the last checkpoint: {txid, leafIndex, treeSize, hashes}');
    write('consistency-proofs.jsonl', consistency, 'RFC 6962 consistency proofs between successive checkpoints: {from, to, hashes}');
    copyFileSync(paths.genesis, join(outDir, 'genesis.json'));
    writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    return manifest;
  } finally {
    await store.close();
  }
}
