/**
 * Verification of a stored chain. `quick` (run at every start) re-derives every txid,
 * receipt, block link, log root and the current state values from the stored bytes;
 * `full` (`govchain audit`) additionally re-checks every signature and re-executes every
 * block from genesis, comparing headers, receipts, checkpoints and the final state.
 */
import {
  GovchainError,
  MemoryLogStore,
  MemorySmtStore,
  SMT_EMPTY_ROOT,
  appendLeafHashes,
  checkEnvelope,
  computeTxid,
  equalBytes,
  fromBase64,
  fromHex,
  fromUtf8,
  formatVerifierKey,
  hashBlockHeader,
  hashLeaf,
  hashTxids,
  logRoot,
  parseCheckpoint,
  parseSignedNote,
  quorumFor,
  sha256,
  stateMapKey,
  toHex,
  utf8,
  verifyCheckpointNote,
  canonicalJson,
  type JsonValue,
  type TxEnvelope,
  type CheckedEnvelope,
  resolveDidKey,
} from '@govchain/core';
import { createModuleRegistry, defaultModules, readGovernance, type ModuleRegistry } from '@govchain/modules';
import { executeBlock, type ChainView, type ExecutableTx, type GenesisDocument } from './execute.js';
import type { Genesis } from './genesis.js';
import { decodeSmtNode, hashMapKey } from './smt-codec.js';
import { stateTableKey, type ChainHead, type ChainStore } from './store.js';

/** The outcome of a verification. */
export interface AuditReport {
  ok: boolean;
  mode: 'quick' | 'full';
  height: number;
  transactions: number;
  checkpointsVerified: number;
  /** First height found bad. */
  badHeight?: number;
  reason?: string;
  seconds: number;
}

class AuditFailure extends Error {
  constructor(
    readonly height: number,
    message: string,
  ) {
    super(message);
  }
}

/** Verify `store` against `genesis`. Never throws for corruption: it reports it. */
export function verifyStore(store: ChainStore, genesis: Genesis, opts: { mode: 'quick' | 'full'; registry?: ModuleRegistry }): AuditReport {
  const t0 = performance.now();
  const head = store.head();
  const report: AuditReport = { ok: true, mode: opts.mode, height: head?.height ?? 0, transactions: 0, checkpointsVerified: 0, seconds: 0 };
  try {
    if (head !== undefined) runAudit(store, genesis, head, opts, report);
  } catch (e) {
    report.ok = false;
    if (e instanceof AuditFailure) {
      report.badHeight = e.height;
      report.reason = e.message;
    } else {
      report.badHeight = report.height;
      report.reason = `unreadable chain data: ${(e as Error).message}`;
    }
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

function runAudit(store: ChainStore, genesis: Genesis, head: ChainHead, opts: { mode: 'quick' | 'full'; registry?: ModuleRegistry }, report: AuditReport): void {
  const full = opts.mode === 'full';
  const registry = opts.registry ?? createModuleRegistry(defaultModules);
  const log = new MemoryLogStore();
  let logSize = 0;
  let prevHash = '0'.repeat(64);
  let prevTime = '';
  // The latest certified checkpoint is checked against the validators known to the state
  // (and genesis); full mode checks each stored checkpoint against the set of its block.
  const current = readGovernance({ get: (m, k) => store.stateValue(m, k) })?.validators ?? [];
  const known = new Map([...genesis.validators, ...current].map((v) => [v.publicKey, v.name]));
  const vkeys = [...known].map(([publicKey, name]) => formatVerifierKey(name, fromBase64(publicKey)));
  let blockVkeys = vkeys;

  // Full mode: an independent in-memory replica built by re-execution.
  const memState = new Map<string, JsonValue>();
  const memSmt = new MemorySmtStore();
  const memCommitted = new Set<string>();
  const lastWrite = new Map<string, number>();
  let memHead: ChainHead | undefined;
  const memView: ChainView = {
    chainId: genesis.chainId,
    head: () => memHead,
    isCommitted: (txid) => memCommitted.has(txid),
    stateValue: (m, k) => memState.get(stateTableKey(m, k)),
    logReader: log,
    smtReader: memSmt,
  };

  for (let h = 1; h <= head.height; h++) {
    const fail = (why: string): never => {
      throw new AuditFailure(h, why);
    };
    const block = store.block(h);
    if (block === undefined) fail('block is missing');
    const hd = block!.header;
    if (hd.chain !== genesis.chainId || hd.height !== h) fail('header names the wrong chain or height');
    if (hd.prev !== prevHash) fail('header does not link to the previous block');
    if (prevTime !== '' && Date.parse(hd.time) < Date.parse(prevTime)) fail('block time goes backwards');
    if (hd.txCount !== block!.txids.length || hashTxids(block!.txids) !== hd.txsHash) fail('transaction list does not match the header');
    const executable: ExecutableTx[] = [];
    const leafHashes: Uint8Array[] = [];
    block!.txids.forEach((txid, i) => {
      const stored = store.tx(txid);
      if (stored === undefined) fail(`transaction ${txid} is missing`);
      let env: TxEnvelope;
      try {
        env = JSON.parse(stored!.envelope) as TxEnvelope;
      } catch {
        fail(`transaction ${txid} is not valid JSON`);
      }
      if (computeTxid(env!.body) !== txid) fail(`transaction ${txid} was altered (its body hashes to another txid)`);
      if (stored!.leafIndex !== logSize + i) fail(`transaction ${txid} has the wrong log position`);
      const leaf = store.leaf(stored!.leafIndex);
      if (leaf === undefined) fail(`receipt of ${txid} is missing`);
      let receipt: { txid?: string; height?: number; index?: number };
      try {
        receipt = JSON.parse(fromUtf8(leaf!));
      } catch {
        fail(`receipt of ${txid} is not valid JSON`);
      }
      if (receipt!.txid !== txid || receipt!.height !== h || receipt!.index !== i) fail(`receipt of ${txid} does not match its transaction`);
      leafHashes.push(hashLeaf(leaf!));
      if (full) {
        let checked: CheckedEnvelope;
        try {
          // did:key signatures verify here; ledger-DID signatures are verified by
          // re-execution against the state of their block.
          checked = checkEnvelope(env!, { chainId: genesis.chainId, now: 0, resolveKey: (kid, did) => (registry.isStateKey(kid) ? null : resolveDidKey(kid, did)) });
        } catch (e) {
          fail(`transaction ${txid} fails verification: ${(e as Error).message}`);
        }
        executable.push({ txid, envelope: stored!.envelope, body: env!.body, signers: checked!.signers, signatures: env!.signatures, keys: checked!.keys.map(() => null) });
      }
    });
    const appended = appendLeafHashes(log, logSize, leafHashes);
    log.apply(appended.writes);
    logSize = appended.size;
    if (hd.logSize !== logSize || toHex(logRoot(log, logSize)) !== hd.logRoot) fail('log root does not match the receipts');
    if (full) {
      const gov = readGovernance({ get: (m, k) => memView.stateValue(m, k) });
      blockVkeys = (gov?.validators ?? genesis.validators).map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey)));
      const executed = executeBlock(memView, registry, h, hd.time, executable, { genesis: genesis as unknown as GenesisDocument });
      if (executed.blockHash !== hashBlockHeader(hd)) {
        const why = executed.header.stateRoot !== hd.stateRoot ? 'state root differs from re-execution' : 'header differs from re-execution';
        fail(why);
      }
      executed.leafData.forEach((d, i) => {
        if (!equalBytes(d, store.leaf(logSize - executed.leafData.length + i)!)) fail(`receipt ${i} differs from re-execution`);
      });
      memSmt.put(executed.smtNodes);
      for (const [k, v] of executed.stateWrites) {
        if (v === null) memState.delete(k);
        else memState.set(k, JSON.parse(v.text) as JsonValue);
        lastWrite.set(k, h);
      }
      for (const txid of executed.txids) memCommitted.add(txid);
      memHead = { height: h, blockHash: executed.blockHash, logSize, logRoot: hd.logRoot, stateRoot: hd.stateRoot, time: hd.time };
      // A block that appended no leaf has no checkpoint of its own (its size's belongs to an earlier block).
      const note = executed.leafData.length === 0 && h > 1 ? undefined : store.checkpoint(logSize);
      if (note !== undefined) {
        const { text } = parseSignedNote(note);
        const cp = parseCheckpoint(text);
        if (cp.height !== h || toHex(cp.rootHash) !== hd.logRoot || toHex(cp.stateRoot) !== hd.stateRoot) fail('stored checkpoint does not match the block');
        try {
          verifyCheckpointNote(note, blockVkeys, 1);
        } catch (e) {
          fail(`stored checkpoint signature is invalid: ${(e as Error).message}`);
        }
        report.checkpointsVerified++;
      }
    }
    report.transactions += block!.txids.length;
    prevHash = hashBlockHeader(hd);
    prevTime = hd.time;
  }
  const fail = (h: number, why: string): never => {
    throw new AuditFailure(h, why);
  };
  if (head.blockHash !== prevHash || head.logSize !== logSize) fail(head.height, 'the head record does not match the last block');
  const last = store.block(head.height)!.header;
  if (head.stateRoot !== last.stateRoot || head.logRoot !== last.logRoot) fail(head.height, 'the head record does not match the last block');

  // The latest certified checkpoint must carry a quorum of valid signatures.
  const certified = store.meta.get('certified') as number | undefined;
  if (certified !== undefined) {
    const note = store.checkpoint(certified);
    if (note === undefined) fail(head.height, 'the certified checkpoint is missing');
    try {
      verifyCheckpointNote(note!, vkeys, 1);
    } catch (e) {
      fail(head.height, `the certified checkpoint does not verify: ${(e as Error).message}`);
    }
  }

  // State: the stored values and the state map under the head's root must agree exactly.
  // One walk over the tree reads each node once, checks it against the hash its parent (or
  // the head) names, and matches every leaf with the stored value of its key; a value the
  // tree does not commit to, or a leaf without a value, fails. (Walking the path of every
  // value instead read ~20 nodes per value.)
  const stateRoot = fromHex(head.stateRoot);
  const expected = new Map<string, { valueHash: Uint8Array; k: string; name: string }>();
  for (const e of store.stateEntries()) {
    const k = stateTableKey(e.module, e.key);
    expected.set(hashMapKey(stateMapKey(e.module, e.key)), { valueHash: sha256(utf8(e.value)), k, name: `${e.module}/${e.key}` });
    if (full) {
      const mine = memState.get(k);
      if (mine === undefined || canonicalJson(mine) !== e.value) fail(lastWrite.get(k) ?? head.height, `state value ${e.module}/${e.key} differs from re-execution`);
    }
  }
  const stored = expected.size;
  const stack: Array<{ hash: Uint8Array; version: number | undefined; depth: number }> = [];
  if (!equalBytes(stateRoot, SMT_EMPTY_ROOT)) stack.push({ hash: stateRoot, version: head.stateVersion, depth: 0 });
  while (stack.length > 0) {
    const { hash, version, depth } = stack.pop()!;
    const enc = store.smtNode(hash, version);
    if (enc === undefined) fail(head.height, 'a state-map node is missing');
    // The first 65 bytes are the hash preimage; versions follow (smt-codec.ts).
    if (!equalBytes(sha256(enc!.subarray(0, 65)), hash)) fail(head.height, 'a state-map node was altered');
    let node;
    try {
      node = decodeSmtNode(enc!);
    } catch {
      fail(head.height, 'a state-map node is malformed');
    }
    if (node!.kind === 'leaf') {
      const id = hashMapKey(node!.key);
      const e = expected.get(id);
      if (e === undefined) fail(head.height, 'the state root commits to a value the state table does not hold');
      if (!equalBytes(e!.valueHash, node!.valueHash)) fail(lastWrite.get(e!.k) ?? head.height, `state value ${e!.name} was altered (it does not match the state root)`);
      expected.delete(id);
      continue;
    }
    if (depth >= 256) fail(head.height, 'state-map path longer than 256 levels');
    if (!equalBytes(node!.right, SMT_EMPTY_ROOT)) stack.push({ hash: node!.right, version: node!.rightVersion, depth: depth + 1 });
    if (!equalBytes(node!.left, SMT_EMPTY_ROOT)) stack.push({ hash: node!.left, version: node!.leftVersion, depth: depth + 1 });
  }
  for (const e of expected.values()) fail(lastWrite.get(e.k) ?? head.height, `state value ${e.name} was altered (it does not match the state root)`);
  if (full && stored !== memState.size) {
    for (const [k] of memState) {
      const z = k.indexOf('\u0000');
      if (store.stateValue(k.slice(0, z), k.slice(z + 1)) === undefined) fail(lastWrite.get(k) ?? head.height, `state value ${k.slice(0, z)}/${k.slice(z + 1)} is missing`);
    }
  }
  if (stateRoot.length !== 32 || (head.height === 0 && !equalBytes(stateRoot, SMT_EMPTY_ROOT))) fail(head.height, 'bad state root');
  void GovchainError;
}
