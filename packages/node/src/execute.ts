/**
 * Deterministic block execution: from the committed chain and an ordered block, compute
 * the receipts, state writes, log and state-map nodes and the header. No I/O: the chain
 * is read through `ChainView`, so the same function serves the node, `audit` and replay.
 */
import {
  GENESIS_PREV,
  GovchainError,
  SMT_EMPTY_ROOT,
  fromHex,
  appendLeafHashes,
  logRoot,
  hashBlockHeader,
  hashLeaf,
  hashTxids,
  receiptJson,
  canonicalJson,
  sha256,
  utf8,
  toHex,
  updateSmt,
  type BlockHeader,
  type JsonValue,
  type LogNodeReader,
  type Receipt,
  type SmtNode,
  type SmtNodeReader,
  type TxBody,
  type TxContext,
  type TxEvent,
  type TxSignature,
  type StateReader,
  canonicalBytes,
  fromBase64Url,
  verifyEd25519,
} from '@govchain/core';
import { PROTOCOL_VERSION, protocolActivationAt, unsupportedProtocol, type ModuleRegistry } from '@govchain/modules';
import type { ChainHead } from './store.js';
import { stateTableKey } from './store.js';

/** What execution may read of the committed chain. */
export interface ChainView {
  readonly chainId: string;
  head(): ChainHead | undefined;
  isCommitted(txid: string): boolean;
  stateValue(module: string, key: string): JsonValue | undefined;
  readonly logReader: LogNodeReader;
  readonly smtReader: SmtNodeReader;
}

/** A transaction that passed the stateless checks, ready to execute. */
export interface ExecutableTx {
  txid: string;
  /** Canonical envelope JSON text (what is stored). */
  envelope: string;
  body: TxBody;
  signers: string[];
  signatures: TxSignature[];
  /** Per ledger-DID signature: hex public key it was verified under before ordering; null otherwise (did:key, or deferred). */
  keys: Array<string | null>;
}

/** The genesis document as modules see it. */
export type GenesisDocument = { readonly [key: string]: JsonValue };

/** Options of {@link executeBlock}. */
export interface ExecuteOptions {
  /** Genesis, whose module hooks run before the first block's transactions. */
  genesis?: GenesisDocument;
  /**
   * The highest protocol version this software runs (default {@link PROTOCOL_VERSION}). A
   * block whose height governance put under a higher version throws `protocol.unsupported`
   * before anything executes: the node stops instead of applying rules it does not know.
   */
  supportedProtocol?: number;
}

/** A state value as written: its JCS text and the SHA-256 of that text. */
export interface StateWrite {
  text: string;
  hash: Uint8Array;
}

/** The result of executing one block. */
export interface ExecutedBlock {
  header: BlockHeader;
  blockHash: string;
  txids: string[];
  envelopes: string[];
  receipts: Receipt[];
  leafData: Uint8Array[];
  logNodes: Array<{ level: number; index: number; hash: Uint8Array }>;
  smtNodes: Array<{ hash: Uint8Array; node: SmtNode }>;
  /** "<module>\0<key>" -> canonical value text and its hash, or null to delete. */
  stateWrites: Map<string, StateWrite | null>;
  /** Storage version of the new state root's node (see ChainHead.stateVersion). */
  stateVersion: number | undefined;
  /** Unexpected (non-GovchainError) failures, for the operator's log. */
  faults: Array<{ txid: string; error: unknown }>;
}

/** Execute `txs` as block `height` at `time` on top of `view`. */
export function executeBlock(view: ChainView, registry: ModuleRegistry, height: number, time: string, txs: readonly ExecutableTx[], opts: ExecuteOptions = {}): ExecutedBlock {
  const head = view.head();
  const expectedHeight = (head?.height ?? 0) + 1;
  if (height !== expectedHeight) throw new GovchainError('chain.height_gap', `block ${height} delivered, expected ${expectedHeight}`);
  // The version in force is read from the state before the block (an activation is always
  // scheduled by an earlier block), so it is known before the first transaction runs.
  const activation = protocolActivationAt({ get: (m, k) => view.stateValue(m, k) }, height);
  const supported = opts.supportedProtocol ?? PROTOCOL_VERSION;
  if (activation !== undefined && activation.version > supported) throw unsupportedProtocol(activation, height, supported);
  // Writes are kept as canonical JSON text (see TxScope).
  const blockWrites: BlockWrites = new Map();
  const readState = (module: string, key: string): JsonValue | undefined => readWrite(blockWrites, view, module, key);
  if (height === 1 && opts.genesis !== undefined) {
    const genesisTime = typeof opts.genesis.time === 'string' ? opts.genesis.time : time;
    registry.runGenesis(
      (module) => ({
        chainId: view.chainId,
        time: genesisTime,
        get: (key) => readState(module, key),
        set: (key, value) => void blockWrites.set(stateTableKey(module, key), canonicalJson(value)),
        read: (m, key) => readState(m, key),
      }),
      opts.genesis,
    );
  }
  const stateReader: StateReader = { get: readState };
  const seen = new Set<string>();
  const txids: string[] = [];
  const envelopes: string[] = [];
  const receipts: Receipt[] = [];
  const faults: ExecutedBlock['faults'] = [];
  const blockMs = Date.parse(time);

  const leafData: Uint8Array[] = [];
  for (const tx of txs) {
    if (seen.has(tx.txid) || view.isCommitted(tx.txid)) continue; // ordered twice: executes once, ever
    seen.add(tx.txid);
    const index = txids.length;
    txids.push(tx.txid);
    envelopes.push(tx.envelope);
    let receipt: Receipt;
    let eventsJson: string | undefined;
    let ctx: TxScope | undefined;
    try {
      if (tx.body.expires !== undefined && Date.parse(tx.body.expires) <= blockMs) {
        throw new GovchainError('tx.expired', `transaction expired at ${tx.body.expires}, block time ${time}`);
      }
      checkLedgerSignatures(registry, stateReader, tx);
      const t = registry.txType(tx.body.type);
      ctx = new TxScope(view.chainId, height, time, tx, t.module.name, blockWrites, view);
      t.definition.authorize?.(ctx, tx.body.payload);
      t.definition.apply(ctx, tx.body.payload);
      receipt = { txid: tx.txid, height, index, status: 'ok' };
      if (ctx.events.length > 0) {
        receipt.events = ctx.events;
        eventsJson = `[${ctx.eventTexts.join(',')}]`;
      }
    } catch (e) {
      ctx?.rollback(); // a failed transaction's writes are discarded
      let code = 'internal.error';
      if (e instanceof GovchainError) code = e.code;
      else faults.push({ txid: tx.txid, error: e });
      receipt = { txid: tx.txid, height, index, status: 'failed', code };
    }
    receipts.push(receipt);
    leafData.push(utf8(receiptJson(receipt, eventsJson)));
  }

  const logSize0 = head?.logSize ?? 0;
  const appended = appendLeafHashes(view.logReader, logSize0, leafData.map(hashLeaf));
  const logRootHex = toHex(logRootOf(view.logReader, appended));

  const updates: Array<{ key: Uint8Array; valueHash: Uint8Array | null }> = [];
  const stateWrites = new Map<string, StateWrite | null>();
  for (const [k, v] of blockWrites) {
    const write: StateWrite | null = v === null ? null : { text: v, hash: sha256(utf8(v)) };
    stateWrites.set(k, write);
    // The table key "<module>\0<key>" in UTF-8 is exactly the preimage of stateMapKey(module, key).
    updates.push({ key: sha256(utf8(k)), valueHash: write === null ? null : write.hash });
  }
  const stateRoot0 = head === undefined ? SMT_EMPTY_ROOT : fromHex(head.stateRoot);
  // New state-map nodes are stored under this block's height (store format 2).
  const smt = updates.length === 0 ? { root: stateRoot0, rootVersion: head?.stateVersion, nodes: [] } : updateSmt(view.smtReader, stateRoot0, updates, { version: height, rootVersion: head?.stateVersion });

  const header: BlockHeader = {
    chain: view.chainId,
    height,
    prev: head?.blockHash ?? GENESIS_PREV,
    time,
    txCount: txids.length,
    txsHash: hashTxids(txids),
    logSize: appended.size,
    logRoot: logRootHex,
    stateRoot: toHex(smt.root),
  };
  return {
    header,
    blockHash: hashBlockHeader(header),
    txids,
    envelopes,
    receipts,
    leafData,
    logNodes: appended.writes,
    smtNodes: smt.nodes,
    stateWrites,
    stateVersion: smt.rootVersion,
    faults,
  };
}

/** Where a block's writes live during execution: "<module>\0<key>" -> canonical JSON text, or null (deleted). */
type BlockWrites = Map<string, string | null>;

/** The value of a block write: text parsed, null deleted, undefined unwritten (read `view`). */
function readWrite(writes: BlockWrites, view: ChainView, module: string, key: string): JsonValue | undefined {
  const w = writes.get(stateTableKey(module, key));
  if (typeof w === 'string') return JSON.parse(w) as JsonValue;
  return w === null ? undefined : view.stateValue(module, key);
}

/** Marks a key the transaction being rolled back had not written before (in the undo log). */
const UNWRITTEN = Symbol('unwritten');

/**
 * What a module's hooks see of one transaction (TxContext). Its writes go straight into the
 * block's writes, as canonical JSON text (serialising once at `set` both isolates the stored
 * value from later mutation by the module and yields the bytes that are hashed); an undo log
 * takes them out again if the transaction fails. One object per transaction, its methods
 * on the prototype.
 */
class TxScope implements TxContext {
  readonly signer: string;
  readonly signers: readonly string[];
  readonly txid: string;
  readonly events: TxEvent[] = [];
  /** JCS of each event, for the receipt's leaf data. */
  readonly eventTexts: string[] = [];
  /** Keys this transaction wrote, with what the block held before (UNWRITTEN: nothing). */
  private readonly undo: Array<string | null | typeof UNWRITTEN> = [];

  constructor(
    readonly chainId: string,
    readonly height: number,
    readonly time: string,
    tx: ExecutableTx,
    private readonly module: string,
    private readonly writes: BlockWrites,
    private readonly view: ChainView,
  ) {
    this.txid = tx.txid;
    this.signer = tx.body.signer;
    this.signers = tx.signers;
  }

  get(key: string): JsonValue | undefined {
    return readWrite(this.writes, this.view, this.module, key);
  }

  read(module: string, key: string): JsonValue | undefined {
    return readWrite(this.writes, this.view, module, key);
  }

  set(key: string, value: JsonValue): void {
    this.write(stateTableKey(this.module, key), canonicalJson(value));
  }

  delete(key: string): void {
    this.write(stateTableKey(this.module, key), null);
  }

  private write(k: string, v: string | null): void {
    const before = this.writes.get(k);
    this.undo.push(k, before === undefined ? UNWRITTEN : before);
    this.writes.set(k, v);
  }

  /** Take this transaction's writes out of the block's, newest first. */
  rollback(): void {
    for (let i = this.undo.length - 2; i >= 0; i -= 2) {
      const k = this.undo[i] as string;
      const before = this.undo[i + 1]!;
      if (before === UNWRITTEN) this.writes.delete(k);
      else this.writes.set(k, before);
    }
    this.undo.length = 0;
  }

  // Canonicalised at once: the event is isolated from later mutation by the module, and a
  // value JCS cannot encode (NaN, a cycle) fails this transaction, not the block's receipts.
  emit(type: string, data: { [key: string]: JsonValue }): void {
    const dataText = canonicalJson(data);
    // JCS of {type, data}: members in code-unit order ("data" < "type").
    this.eventTexts.push(`{"data":${dataText},"type":${canonicalJson(type)}}`);
    this.events.push({ type, data: JSON.parse(dataText) as TxEvent['data'] });
  }
}

/**
 * Signatures by ledger DIDs count only if their key is valid in the state this transaction
 * executes on (earlier transactions of the block included): a key revoked before it is
 * refused, and a key verified before ordering must still be the key the state names.
 */
function checkLedgerSignatures(registry: ModuleRegistry, state: StateReader, tx: ExecutableTx): void {
  let bodyBytes: Uint8Array | undefined;
  tx.signatures.forEach((s, i) => {
    if (!registry.isStateKey(s.kid)) return;
    const pub = registry.resolveKey(state, s.kid);
    if (tx.keys[i] === toHex(pub)) return;
    bodyBytes ??= canonicalBytes(tx.body);
    let sig: Uint8Array;
    try {
      sig = fromBase64Url(s.sig);
    } catch {
      throw new GovchainError('tx.bad_signature', `signature ${i} is not base64url`);
    }
    if (!verifyEd25519(pub, bodyBytes, sig)) throw new GovchainError('tx.bad_signature', `signature ${i} by ${s.kid} does not verify under its current key`);
  });
}

/** Root after an append, reading new nodes from the append's own writes first. */
function logRootOf(reader: LogNodeReader, appended: { writes: Array<{ level: number; index: number; hash: Uint8Array }>; size: number }): Uint8Array {
  const overlay = new Map<string, Uint8Array>();
  for (const w of appended.writes) overlay.set(`${w.level}:${w.index}`, w.hash);
  const layered: LogNodeReader = { getNode: (level, index) => overlay.get(`${level}:${index}`) ?? reader.getNode(level, index) };
  return logRoot(layered, appended.size);
}
