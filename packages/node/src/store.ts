/**
 * The chain store: everything a node keeps, in one LMDB environment (embedded, prebuilt,
 * ACID). One block is written in one LMDB transaction together with the new head, so a
 * node killed at any instant restarts at a block boundary.
 *
 * Tables (named LMDB databases):
 *   meta         'head' -> ChainHead (JSON); 'genesis' -> genesis hash
 *   blocks       height -> JSON {header, txids}
 *   txs          txid -> "<leafIndex> <canonical envelope JSON>"
 *   leaves       leafIndex -> JCS(receipt) (the RFC 6962 leaf data)
 *   lognodes     (level u8 || index u64be) -> 32-byte complete-subtree hash
 *   smtv         (version u64be || node hash) -> node encoding (smt-codec.ts): the state-map
 *                nodes created by block `version`, side by side, so a block's nodes are
 *                appended rather than inserted at random places (format 2)
 *   smt          node hash -> node encoding, for nodes written before format 2 (read only)
 *   state        "<module>\0<key>" -> JCS(value)   (current state, for execution)
 *   values       SHA-256(JCS(value)) -> JCS(value) for replaced versions (proofs at older roots)
 *   checkpoints  log size -> signed note text (all signatures collected so far)
 *   evidence     "<size>:<validator>" -> JSON EquivocationEvidence (network mode)
 */
import { open, type Database, type RootDatabase } from 'lmdb';
import { mkdirSync, statfsSync } from 'node:fs';
import { equalBytes, fromUtf8, sha256, utf8, GovchainError, type BlockHeader, type JsonValue, type Receipt, type SmtNode } from '@govchain/core';
import { migrateStore } from './migrations.js';
import { decodeSmtNode, encodeSmtNodes } from './smt-codec.js';

/** The committed head of the chain. */
export interface ChainHead {
  height: number;
  blockHash: string;
  logSize: number;
  logRoot: string;
  stateRoot: string;
  /** Storage version (block height) of the state root's node; absent for an empty map or a root stored before format 2. */
  stateVersion?: number | undefined;
  time: string;
}

/** A stored block. */
export interface StoredBlock {
  header: BlockHeader;
  txids: string[];
  /** Storage version of the block's state root node (not part of the header or any hash). */
  stateVersion?: number | undefined;
}

/** Where a committed transaction sits. */
export interface StoredTx {
  leafIndex: number;
  envelope: string;
}

/** Everything one block commit writes. */
export interface BlockWrite {
  head: ChainHead;
  block: StoredBlock;
  /** Aligned with block.txids. */
  envelopes: string[];
  /** Aligned with block.txids; leaf indexes are head.logSize - n .. head.logSize - 1. */
  leafData: Uint8Array[];
  logNodes: Array<{ level: number; index: number; hash: Uint8Array }>;
  /** State-map nodes created by this block, stored under version `head.height` (encoded by smt-codec.ts). */
  smtNodes: ReadonlyArray<{ hash: Uint8Array; node: SmtNode }>;
  /** "<module>\0<key>" -> value text and hash, or null to delete. */
  stateWrites: Map<string, { text: string; hash: Uint8Array } | null>;
  /** Set when this block's checkpoint is certified. */
  certifiedSize?: number | undefined;
  /** Checkpoint notes to store, by log size. */
  checkpoints: Array<{ size: number; note: string }>;
}

/** Encode a log node address. */
export function logNodeKey(level: number, index: number, into: Buffer = Buffer.allocUnsafe(9)): Buffer {
  into[0] = level;
  writeU64(into, 1, index);
  return into;
}

/** Write a safe integer as 64-bit big-endian (no BigInt: this runs for every stored node). */
function writeU64(out: Buffer, at: number, n: number): void {
  out.writeUInt32BE(Math.floor(n / 2 ** 32), at);
  out.writeUInt32BE(n >>> 0, at + 4);
}

/** Encode a versioned state-map node address. */
export function smtNodeKey(version: number, hash: Uint8Array, into: Buffer = Buffer.allocUnsafe(40)): Buffer {
  writeU64(into, 0, version);
  into.set(hash, 8);
  return into;
}

/**
 * A copy of a value read with getBinaryFast. lmdb-js hands back a reused buffer whose
 * `length` property (not its typed-array length) is the value's size: copy exactly that.
 */
function copyFast(b: Buffer | undefined): Uint8Array | undefined {
  return b === undefined ? undefined : Uint8Array.prototype.slice.call(b, 0, b.length);
}

// Scratch keys for the hot paths: lmdb-js copies a key into its own buffer at put or get,
// so one buffer serves every call (all on this thread, none kept).
const logKeyScratch = Buffer.allocUnsafe(9);
const smtKeyScratch = Buffer.allocUnsafe(40);

/** The state table key of a module key. */
export function stateTableKey(module: string, key: string): string {
  return `${module}\u0000${key}`;
}

// State keys are stored as raw UTF-8: LMDB's default key encoding would read a NUL as an
// array separator and hand back ['module', 'key'].
const stateDbKey = (tableKey: string): Buffer => Buffer.from(tableKey, 'utf8');

// The state key of a read, written into one scratch buffer (reads copy the key, see above)
// without building the "<module>\0<key>" string: execution reads state for every transaction.
const stateKeyScratch = Buffer.allocUnsafe(4096);
function stateReadKey(module: string, key: string): Buffer {
  // At most 3 UTF-8 bytes per UTF-16 code unit: a longer key takes the general path.
  if (3 * (module.length + key.length) + 1 > stateKeyScratch.length) return stateDbKey(stateTableKey(module, key));
  const n = stateKeyScratch.write(module, 0, 'utf8');
  stateKeyScratch[n] = 0;
  return stateKeyScratch.subarray(0, n + 1 + stateKeyScratch.write(key, n + 1, 'utf8'));
}

/**
 * An LMDB commit failure, with its cause: lmdb-js rejects the writes of a failed commit with
 * "Commit failed" and puts the real error (errno, e.g. ENOSPC = 28) in the `commitError`
 * promise. A full disk becomes `store.disk_full`, anything else `store.write_failed`.
 */
export async function storeWriteError(e: unknown, what: string, path?: string): Promise<GovchainError> {
  const commitError = (e as { commitError?: Promise<unknown> } | undefined)?.commitError;
  const cause = commitError === undefined ? e : await commitError.then(() => e, (c: unknown) => c);
  const message = (cause as Error | undefined)?.message ?? String(cause);
  // On some file systems (tmpfs) a write that runs out of space surfaces as EIO: ask the disk.
  if (isDiskFull(cause) || (path !== undefined && freeBytes(path) < 1024 * 1024)) {
    return new GovchainError('store.disk_full', `cannot write ${what}: the disk of the data folder is full (${message}); nothing after the last committed block was kept. Free space: the node retries the write and resumes by itself`, { cause });
  }
  return new GovchainError('store.write_failed', `cannot write ${what}: ${message}`, { cause });
}

/** Free bytes for unprivileged writers on the file system of `path` (Infinity if unknown). */
function freeBytes(path: string): number {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return Infinity;
  }
}

/** True for an ENOSPC ("No space left on device") error from LMDB or the file system. */
export function isDiskFull(e: unknown): boolean {
  const x = e as { code?: unknown; message?: unknown } | undefined;
  return x?.code === 28 || x?.code === 'ENOSPC' || (typeof x?.message === 'string' && /No space left on device|MDB_MAP_FULL/.test(x.message));
}

/**
 * True for an error lmdb-js raised for a failed commit (it also rejects promises of the
 * failed batch that no caller holds). The node halts on such a failure through
 * `commitBlock`; a process may use this to ignore the stray rejections.
 */
export function isStoreCommitFailure(e: unknown): boolean {
  return (e as { commitError?: unknown } | undefined)?.commitError !== undefined || isDiskFull(e);
}

/** The chain store over LMDB. */
export class ChainStore {
  readonly root: RootDatabase;
  readonly meta: Database<any, string>;
  readonly blocks: Database<string, number>;
  readonly txs: Database<string, string>;
  readonly leaves: Database<Uint8Array, number>;
  readonly logNodes: Database<Uint8Array, Buffer>;
  readonly smt: Database<Uint8Array, Buffer>;
  readonly smtv: Database<Uint8Array, Buffer>;
  readonly state: Database<string, Buffer>;
  readonly values: Database<string, Buffer>;
  readonly checkpoints: Database<string, number>;
  readonly evidenceDb: Database<string, string>;
  private cachedHead: ChainHead | undefined;
  /** The LMDB folder. */
  readonly path: string;

  private constructor(path: string, readOnly: boolean) {
    this.path = path;
    mkdirSync(path, { recursive: true, mode: 0o700 });
    this.root = open({ path, compression: false, maxDbs: 16, readOnly, mapSize: 64 * 1024 ** 3 } as any);
    this.meta = this.root.openDB({ name: 'meta', encoding: 'json' });
    this.blocks = this.root.openDB({ name: 'blocks', encoding: 'string' });
    this.txs = this.root.openDB({ name: 'txs', encoding: 'string' });
    this.leaves = this.root.openDB({ name: 'leaves', encoding: 'binary' });
    this.logNodes = this.root.openDB({ name: 'lognodes', encoding: 'binary', keyEncoding: 'binary' });
    this.smt = this.root.openDB({ name: 'smt', encoding: 'binary', keyEncoding: 'binary' });
    this.smtv = this.root.openDB({ name: 'smtv', encoding: 'binary', keyEncoding: 'binary' });
    this.state = this.root.openDB({ name: 'state', encoding: 'string', keyEncoding: 'binary' });
    this.values = this.root.openDB({ name: 'values', encoding: 'string', keyEncoding: 'binary' });
    this.checkpoints = this.root.openDB({ name: 'checkpoints', encoding: 'string' });
    this.evidenceDb = this.root.openDB({ name: 'evidence', encoding: 'string' });
    this.migrations = migrateStore(this.root, this.meta.get('head') !== undefined, readOnly);
  }

  /** Format migrations run when this store was opened (docs/upgrades.md). */
  readonly migrations: string[];

  /** Open (creating) the store in folder `path`. */
  static open(path: string, opts: { readOnly?: boolean } = {}): ChainStore {
    try {
      return new ChainStore(path, opts.readOnly ?? false);
    } catch (e) {
      if (e instanceof GovchainError) throw e;
      throw new GovchainError('store.open_failed', `cannot open the chain store at ${path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The committed head, or undefined for a chain with no block yet. */
  head(): ChainHead | undefined {
    if (this.cachedHead === undefined) this.cachedHead = this.meta.get('head') as ChainHead | undefined;
    return this.cachedHead;
  }

  /** A stored block, by height. */
  block(height: number): StoredBlock | undefined {
    const head = this.head();
    if (head === undefined || height < 1 || height > head.height) return undefined;
    const text = this.blocks.get(height);
    return text === undefined ? undefined : (JSON.parse(text) as StoredBlock);
  }

  /** A committed transaction, by txid (undefined when not committed at or below the head). */
  tx(txid: string): StoredTx | undefined {
    const text = this.txs.get(txid);
    if (text === undefined) return undefined;
    const space = text.indexOf(' ');
    const leafIndex = Number(text.slice(0, space));
    if (!this.isCommittedLeaf(leafIndex)) return undefined;
    return { leafIndex, envelope: text.slice(space + 1) };
  }

  /** True when leaf `leafIndex` is below the committed head (a txs row of a block that never committed is not). */
  private isCommittedLeaf(leafIndex: number): boolean {
    const head = this.head();
    return head !== undefined && leafIndex < head.logSize;
  }

  /** True when `txid` is committed (reads only the leaf index, not the envelope). */
  hasTx(txid: string): boolean {
    const raw = this.txs.getBinaryFast(txid);
    if (raw === undefined) return false;
    let leafIndex = 0;
    for (let i = 0; i < raw.length && raw[i] !== 0x20; i++) leafIndex = leafIndex * 10 + (raw[i]! - 0x30);
    return this.isCommittedLeaf(leafIndex);
  }

  /** Leaf data (JCS receipt) at `index`. */
  leaf(index: number): Uint8Array | undefined {
    const head = this.head();
    if (head === undefined || index >= head.logSize) return undefined;
    const b = this.leaves.getBinary(index);
    return b === undefined ? undefined : new Uint8Array(b);
  }

  /** The receipt at `index`. */
  receipt(index: number): Receipt | undefined {
    const leaf = this.leaf(index);
    return leaf === undefined ? undefined : (JSON.parse(fromUtf8(leaf)) as Receipt);
  }

  /** A complete-subtree hash of the log. */
  logNode(level: number, index: number): Uint8Array | undefined {
    return copyFast(this.logNodes.getBinaryFast(logNodeKey(level, index, logKeyScratch)));
  }

  /** A state-map node's encoding, by hash and the version its parent recorded (none: a node from before format 2). */
  smtNode(hash: Uint8Array, version?: number): Uint8Array | undefined {
    return copyFast(this.smtNodeFast(hash, version));
  }

  /** A state-map node, decoded (as `decodeSmtNode(smtNode(hash, version))`, without copying the encoding twice). */
  smtNodeDecoded(hash: Uint8Array, version?: number): SmtNode | undefined {
    const b = this.smtNodeFast(hash, version);
    // decodeSmtNode copies what it keeps out of the reused buffer.
    return b === undefined ? undefined : decodeSmtNode(b);
  }

  /** A state-map node's encoding in lmdb-js's reused read buffer (valid until the next read). */
  private smtNodeFast(hash: Uint8Array, version: number | undefined): Buffer | undefined {
    return version === undefined ? this.smt.getBinaryFast(Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength)) : this.smtv.getBinaryFast(smtNodeKey(version, hash, smtKeyScratch));
  }

  /** A module's current state value. */
  stateValue(module: string, key: string): JsonValue | undefined {
    const text = this.state.get(stateReadKey(module, key));
    return text === undefined ? undefined : (JSON.parse(text) as JsonValue);
  }

  /** A state value's JCS text by its hash: the current version of `module/key`, or a replaced one. */
  valueByHash(hash: Uint8Array, module?: string, key?: string): string | undefined {
    if (module !== undefined && key !== undefined) {
      const current = this.state.get(stateReadKey(module, key));
      if (current !== undefined && equalBytes(sha256(utf8(current)), hash)) return current;
    }
    return this.values.get(Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength));
  }

  /** The stored checkpoint note at log size `size`. */
  checkpoint(size: number): string | undefined {
    return this.checkpoints.get(size);
  }

  /** The largest stored checkpoint size at or below `atMost`. */
  latestCheckpointSize(atMost: number): number | undefined {
    for (const key of this.checkpoints.getKeys({ start: atMost, end: -1, reverse: true, limit: 1 } as any)) return key as number;
    return undefined;
  }

  /**
   * Write one block and its head atomically; resolves once durable on disk.
   * All puts are issued in one synchronous turn as one lmdb-js `batch`: they are encoded on
   * this thread and applied by LMDB's own write thread in one transaction (all or none), so
   * the B-tree work does not occupy the thread that executes the next block. Reads here
   * see the previous block, which is durable before this write starts (node.ts chains them).
   */
  async commitBlock(w: BlockWrite): Promise<void> {
    const firstLeaf = w.head.logSize - w.leafData.length;
    const done = this.root.batch(() => {
      w.block.txids.forEach((txid, i) => {
        this.txs.put(txid, `${firstLeaf + i} ${w.envelopes[i]}`);
        this.leaves.put(firstLeaf + i, w.leafData[i]!);
      });
      for (const n of w.logNodes) this.logNodes.put(logNodeKey(n.level, n.index, logKeyScratch), n.hash);
      const encodings = encodeSmtNodes(w.smtNodes.map((n) => n.node));
      w.smtNodes.forEach((n, i) => this.smtv.put(smtNodeKey(w.head.height, n.hash, smtKeyScratch), encodings[i]!));
      for (const [k, v] of w.stateWrites) {
        const key = stateDbKey(k);
        // Keep the version being replaced, by hash, so proofs against an older (still
        // certified) root can serve it; the current version is read from `state`.
        const previous = this.state.get(key);
        if (previous !== undefined && previous !== v?.text) this.values.put(Buffer.from(sha256(utf8(previous))), previous);
        if (v === null) this.state.remove(key);
        else this.state.put(key, v.text);
      }
      if (w.certifiedSize !== undefined) this.meta.put('certified', w.certifiedSize);
      for (const c of w.checkpoints) this.checkpoints.put(c.size, c.note);
      this.blocks.put(w.block.header.height, JSON.stringify(w.block));
      this.meta.put('head', w.head);
    });
    try {
      await done;
      await this.root.flushed;
    } catch (e) {
      throw await storeWriteError(e, `block ${w.head.height}`, this.path);
    }
    this.cachedHead = w.head;
  }

  /** Store (replace) a checkpoint note, e.g. when more signatures arrive. */
  async putCheckpoint(size: number, note: string): Promise<void> {
    await this.checkpoints.put(size, note);
  }

  /**
   * Store a certified note for `size` and raise the certified size to it (never lower),
   * in one transaction; resolves once durable.
   */
  async certifyCheckpoint(size: number, note: string): Promise<void> {
    await this.root.transaction(() => {
      this.checkpoints.put(size, note);
      const current = this.meta.get('certified') as number | undefined;
      if (current === undefined || size > current) this.meta.put('certified', size);
    });
    await this.root.flushed;
  }

  /** Record equivocation evidence (JSON) under `<size>:<validator>`; resolves once durable. */
  async putEvidence(size: number, validator: string, json: string): Promise<void> {
    await this.evidenceDb.put(`${size}:${validator}`, json);
    await this.root.flushed;
  }

  /** All recorded equivocation evidence (JSON texts). */
  evidence(): string[] {
    return [...this.evidenceDb.getRange({})].map((e) => e.value as string);
  }

  /** Iterate state entries of one module (or all). */
  *stateEntries(module?: string): Iterable<{ module: string; key: string; value: string }> {
    const range = module === undefined ? {} : { start: stateDbKey(`${module}\u0000`), end: stateDbKey(`${module}\u0001`) };
    for (const { key, value } of this.state.getRange(range)) {
      const k = (key as Buffer).toString('utf8');
      const z = k.indexOf('\u0000');
      yield { module: k.slice(0, z), key: k.slice(z + 1), value: value as string };
    }
  }

  /** Close the environment. */
  async close(): Promise<void> {
    await this.root.close();
  }
}
