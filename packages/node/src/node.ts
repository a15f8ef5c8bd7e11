/**
 * A govchain node: admits transactions (stateless checks on worker threads, replay
 * checks), hands them to an orderer, executes every ordered block deterministically,
 * commits it atomically with its signed checkpoint, and answers reads with proofs.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import {
  GovchainError,
  consistencyProof,
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  verifyCheckpointNote,
  fromBase64,
  fromHex,
  inclusionProof,
  parseCheckpoint as parseCheckpointText,
  parseSignedNote,
  parseVerifierKey,
  proveSmt,
  quorumFor,
  signCheckpoint,
  stateMapKey,
  toHex,
  type Checkpoint,
  type JsonValue,
  type LogNodeReader,
  type NoteSignature,
  type Receipt,
  type SmtNodeReader,
  type SmtProof,
  type TxEnvelope,
} from '@govchain/core';
import { PROTOCOL_VERSION, createModuleRegistry, defaultModules, protocolVersionAt, readGovernance, scheduledProtocol, type ModuleRegistry } from '@govchain/modules';
import { createSoloOrderer, OrdererFullError, type Orderer, type OrderedBlock, type OrderingPosition, type SignatureChannel } from '@govchain/ordering';
import { CheckpointTally, type EquivocationEvidence, type TallyOutcome } from './cosign.js';
import { pino, type Logger } from 'pino';
import { dataPaths, loadValidatorKeys } from './datadir.js';
import { executeBlock, type ChainView, type ExecutableTx, type ExecutedBlock, type GenesisDocument } from './execute.js';
import { genesisHash, readGenesis, type Genesis } from './genesis.js';
import type { LoadedKey } from './keys.js';
import { createNodeMetrics, type NodeMetrics } from './metrics.js';
import { ChainStore, type BlockWrite, type ChainHead, type StoredBlock } from './store.js';
import { PendingBlocks } from './pending.js';
import { verifyStore } from './audit.js';
import { withCosignatures } from './cosignatures.js';
import { createVerifierPool, throwVerifyFailure, type VerifierPool } from './verify.js';

/** The software version reported by /v1/status. */
export const GOVCHAIN_VERSION = '0.1.0';

/** Blocks executed ahead of the disk (one being fsynced, one executing). */
const MAX_PENDING_BLOCKS = 2;

/** Options of {@link GovchainNode.open}. */
export interface NodeOptions {
  dataDir: string;
  /** Default: a solo orderer with the block settings below. */
  orderer?: Orderer;
  blockIntervalMs?: number;
  maxBlockTxs?: number;
  /** Most admitted, uncommitted transactions (default 100,000). */
  maxPending?: number;
  /**
   * Most admitted, uncommitted transactions of one signer DID (default 1% of
   * `maxPending`, at least 100), so no single signer can fill the mempool.
   */
  maxPendingPerSigner?: number;
  /** Verifier worker threads (default: all cores; 0 = inline). */
  verifierWorkers?: number;
  logger?: Logger;
  /** Startup verification of the stored chain (default 'quick'). */
  verifyOnOpen?: 'quick' | 'none';
  /**
   * The modules (default: `defaultModules`). Verifier worker threads validate payloads with
   * the default modules; use `verifierWorkers: 0` with a custom registry.
   */
  modules?: ModuleRegistry;
  /**
   * Network mode: where validators share checkpoint signatures. With it, a checkpoint is
   * certified only once a quorum of validators signed the body this node computed.
   */
  signatures?: SignatureChannel;
  /** Peer API URLs to fetch blocks from when the ordering stream was trimmed. */
  peers?: string[];
  /**
   * The highest protocol version this node runs (default: {@link PROTOCOL_VERSION}, or
   * `GOVCHAIN_TEST_PROTOCOL_MAX`, which tests use to run this build as an older release).
   */
  supportedProtocol?: number;
}

/** The protocol versions of a node: in force, supported, and the next scheduled one. */
export interface ProtocolStatus {
  version: number;
  supported: number;
  scheduled?: { version: number; height: number };
}

/** What subscribers of committed blocks receive. */
export interface CommitEvent {
  header: StoredBlock['header'];
  blockHash: string;
  receipts: Receipt[];
  firstLeafIndex: number;
}

/** A validator set with its signed-note verifier keys and quorum. */
export interface ValidatorSet {
  validators: Array<{ name: string; publicKey: string }>;
  vkeys: string[];
  quorum: number;
}

/** A certified checkpoint: the note and the parsed body. */
export interface CertifiedCheckpoint {
  note: string;
  checkpoint: Checkpoint;
}

interface Admitted {
  envelope: string;
  signer: string;
  signers: string[];
  keys: Array<string | null>;
  at: number;
}

/** Options of {@link GovchainNode.submit}. */
export interface SubmitOptions {
  /**
   * Called once the stateless checks passed (signatures verified) and before the
   * transaction is admitted; throw a GovchainError to refuse it (e.g. a rate limit).
   */
  admit?: (tx: { txid: string; signer: string; signers: string[] }) => void;
}

/** A govchain node over one data folder. */
export class GovchainNode {
  readonly genesis: Genesis;
  readonly store: ChainStore;
  readonly registry: ModuleRegistry;
  readonly metrics: NodeMetrics;
  readonly log: Logger;
  /** The data folder this node runs over. */
  readonly dataDir: string;

  private readonly orderer: Orderer;
  private readonly pool: VerifierPool;
  private readonly keys: LoadedKey[];
  private readonly admitted = new Map<string, Admitted>();
  private readonly waiters = new Map<string, Array<(r: Receipt) => void>>();
  /** Rejections of pending `waitForCommit` calls, run when the node halts (nothing will commit here). */
  private readonly emitter = new EventEmitter();
  private readonly maxPending: number;
  private readonly maxPendingPerSigner: number;
  private readonly pendingBySigner = new Map<string, number>();
  /** The `accepted` child of the admission counter, counted per transaction (no label lookup). */
  private readonly accepted: { inc(): void };
  private readonly view: ChainView;
  private blockInFlight: Promise<void> = Promise.resolve();
  /** Resolves when every issued block write is durable (or has failed). */
  private durable: Promise<void> = Promise.resolve();
  private readonly pending: PendingBlocks;
  private fault: Error | undefined;
  /** Set while a block write waits for disk space (`commitWhenSpace`): not ready, writes refused. */
  private diskFull: GovchainError | undefined;
  private stopped = false;
  private started = false;
  private certifiedSize: number | undefined;
  private readonly signatures: SignatureChannel | undefined;
  private readonly tally: CheckpointTally | undefined;
  private tallyWork: Promise<void> = Promise.resolve();
  /** When each own checkpoint became durable (for the certification latency metric). */
  private readonly durableAt = new Map<number, number>();
  private readonly peers: string[];
  private catchingUp = false;
  /** Test-only fault injection: from this height on, execution drops a transaction. */
  private readonly tamperFrom: number | undefined;
  /** The highest protocol version this node executes. */
  readonly supportedProtocol: number;
  /** Activation heights already warned about (an unsupported version is scheduled). */
  private readonly warnedActivations = new Set<number>();

  private constructor(opts: NodeOptions, genesis: Genesis, store: ChainStore) {
    this.genesis = genesis;
    this.store = store;
    this.dataDir = opts.dataDir;
    this.log = opts.logger ?? pino({ level: process.env.GOVCHAIN_LOG_LEVEL ?? 'info' });
    this.registry = opts.modules ?? createModuleRegistry(defaultModules);
    this.metrics = createNodeMetrics({ mempoolSize: () => this.admitted.size, verifierHeaps: () => this.pool.heapStatistics() });
    this.accepted = this.metrics.txSubmitted.labels({ result: 'accepted' });
    this.keys = loadValidatorKeys(opts.dataDir);
    this.maxPending = opts.maxPending ?? 100_000;
    this.maxPendingPerSigner = opts.maxPendingPerSigner ?? Math.max(100, Math.floor(this.maxPending / 100));
    this.orderer =
      opts.orderer ?? createSoloOrderer({ blockIntervalMs: opts.blockIntervalMs ?? 200, maxBlockTxs: opts.maxBlockTxs ?? 5000, maxPending: this.maxPending });
    this.pool = createVerifierPool({
      chainId: genesis.chainId,
      workers: opts.verifierWorkers,
      dbPath: dataPaths(opts.dataDir).db,
      state: { get: (m, k) => store.stateValue(m, k) },
      registry: this.registry,
    });
    this.emitter.setMaxListeners(0);
    this.pending = new PendingBlocks(store);
    this.view = this.pending.view(genesis.chainId);
    this.certifiedSize = store.meta.get('certified') as number | undefined;
    this.signatures = opts.signatures;
    this.peers = opts.peers ?? [];
    if (this.signatures !== undefined) this.tally = new CheckpointTally(this.vkeys.map(parseVerifierKey), this.quorum);
    const tamper = process.env.GOVCHAIN_TEST_TAMPER_FROM_HEIGHT;
    this.tamperFrom = tamper === undefined || tamper === '' ? undefined : Number(tamper);
    const testMax = process.env.GOVCHAIN_TEST_PROTOCOL_MAX;
    this.supportedProtocol = opts.supportedProtocol ?? (testMax === undefined || testMax === '' ? PROTOCOL_VERSION : Number(testMax));
    if (this.supportedProtocol !== PROTOCOL_VERSION) this.log.warn({ supported: this.supportedProtocol }, 'this node runs protocol versions only up to the one set (GOVCHAIN_TEST_PROTOCOL_MAX or supportedProtocol: it stands in for an older release)');
    if (this.tamperFrom !== undefined) this.log.warn({ from: this.tamperFrom }, 'GOVCHAIN_TEST_TAMPER_FROM_HEIGHT is set: this node executes wrongly on purpose (tests only)');
  }

  /** Open a node over `opts.dataDir`: read genesis and keys, open and verify the store. */
  static async open(opts: NodeOptions): Promise<GovchainNode> {
    const paths = dataPaths(opts.dataDir);
    if (!existsSync(paths.genesis)) throw new GovchainError('node.not_initialised', `no chain in ${opts.dataDir}: run "govchain init" first`);
    const genesis = readGenesis(paths.genesis);
    const store = ChainStore.open(paths.db);
    try {
      const gh = genesisHash(genesis);
      const storedGenesis = store.meta.get('genesis') as string | undefined;
      if (storedGenesis === undefined) await store.meta.put('genesis', gh);
      else if (storedGenesis !== gh) throw new GovchainError('chain.corrupt', `genesis.json does not match the chain stored in ${paths.db}`);
      if ((opts.verifyOnOpen ?? 'quick') === 'quick') {
        const report = verifyStore(store, genesis, { mode: 'quick' });
        if (!report.ok) {
          throw new GovchainError('chain.corrupt', `refusing to start: the stored chain is corrupt at height ${report.badHeight}: ${report.reason}. Run "govchain audit" for details; restore from a backup or a peer.`, {
            details: { badHeight: report.badHeight },
          });
        }
      }
      const node = new GovchainNode(opts, genesis, store);
      for (const m of store.migrations) node.log.warn({ migration: m }, 'chain store migrated');
      return node;
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  /** Start ordering and executing blocks. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.store.head() === undefined) {
      // Block 1 is the genesis block: no transactions, the genesis state of every module
      // (agencies, validators, policy), at genesis time. Every node computes it alone.
      await this.onBlock({ height: 1, time: this.genesis.time, txs: [] });
      await this.durable;
      if (this.fault !== undefined) throw this.fault;
    }
    const head = this.store.head();
    this.metrics.height.set(head?.height ?? 0);
    this.metrics.logSize.set(head?.logSize ?? 0);
    this.metrics.ready.set(1);
    if (this.tally !== undefined && this.signatures !== undefined) {
      // Our own bodies of recent blocks (signatures of them may still be arriving).
      const top = head?.height ?? 0;
      for (let h = top; h >= 1 && h > top - 1000; h--) {
        const hd = this.store.block(h)?.header;
        if (hd !== undefined && (hd.txCount > 0 || h === 1)) this.tally.addOwn(h, this.checkpointBody(hd));
      }
      await this.signatures.subscribeSignatures((sig) => this.onSignature(sig.validator, sig.note));
    }
    await this.orderer.start({ height: head?.height ?? 0, time: head?.time ?? this.genesis.time }, (b) => this.onBlock(b));
  }

  /** Software version. */
  get version(): string {
    return GOVCHAIN_VERSION;
  }

  /** Which orderer this node uses. */
  get ordererKind(): string {
    return this.orderer.kind;
  }

  /** The chain id. */
  get chainId(): string {
    return this.genesis.chainId;
  }

  /** The committed head. */
  head(): ChainHead | undefined {
    return this.store.head();
  }

  /** Why the node stopped committing, if it did. */
  faultReason(): string | undefined {
    return this.fault?.message ?? this.diskFull?.message;
  }

  /** True when the node commits blocks and serves certified data. */
  isReady(): boolean {
    return this.started && !this.stopped && this.fault === undefined && this.diskFull === undefined;
  }

  /**
   * Admit an envelope (JSON text): stateless checks, replay check, then ordering.
   * Throws a GovchainError describing the first problem.
   */
  async submit(text: string, opts: SubmitOptions = {}): Promise<{ txid: string }> {
    if (this.stopped) throw new GovchainError('node.stopping', 'the node is stopping');
    if (this.fault !== undefined) throw new GovchainError('node.halted', `the node has halted: ${this.fault.message}`);
    if (this.diskFull !== undefined) throw new GovchainError('store.disk_full', `the node accepts no transactions until it can write blocks again: ${this.diskFull.message}`);
    if (this.admitted.size >= this.maxPending) {
      this.metrics.txSubmitted.inc({ result: 'mempool.full' });
      throw new GovchainError('mempool.full', `too many pending transactions (${this.maxPending}); retry later`);
    }
    const r = await this.pool.check(text);
    if (!r.ok) {
      this.metrics.txSubmitted.inc({ result: r.code });
      throwVerifyFailure(r);
    }
    if (this.store.hasTx(r.txid)) {
      this.metrics.txSubmitted.inc({ result: 'tx.replayed' });
      throw new GovchainError('tx.replayed', `transaction ${r.txid} is already committed; a txid is accepted once`, { details: { txid: r.txid } });
    }
    if (this.admitted.has(r.txid)) {
      this.metrics.txSubmitted.inc({ result: 'tx.duplicate' });
      throw new GovchainError('tx.duplicate', `transaction ${r.txid} is already pending`, { details: { txid: r.txid } });
    }
    if (this.admitted.size >= this.maxPending) {
      // Re-checked: other submissions may have filled the mempool while this one verified.
      this.metrics.txSubmitted.inc({ result: 'mempool.full' });
      throw new GovchainError('mempool.full', `too many pending transactions (${this.maxPending}); retry later`);
    }
    if ((this.pendingBySigner.get(r.signer) ?? 0) >= this.maxPendingPerSigner) {
      this.metrics.txSubmitted.inc({ result: 'mempool.signer_full' });
      throw new GovchainError('mempool.signer_full', `${r.signer} already has ${this.maxPendingPerSigner} pending transactions; retry when some commit`, { details: { retryAfter: 1 } });
    }
    opts.admit?.({ txid: r.txid, signer: r.signer, signers: r.signers });
    this.admitted.set(r.txid, { envelope: r.canonical, signer: r.signer, signers: r.signers, keys: r.keys, at: performance.now() });
    this.pendingBySigner.set(r.signer, (this.pendingBySigner.get(r.signer) ?? 0) + 1);
    try {
      await this.orderer.submit({ txid: r.txid, envelope: r.canonical });
    } catch (e) {
      this.forget(r.txid);
      if (e instanceof OrdererFullError) throw new GovchainError('mempool.full', e.message);
      throw new GovchainError('ordering.unavailable', `the orderer refused the transaction: ${(e as Error).message}`, { cause: e });
    }
    this.accepted.inc();
    return { txid: r.txid };
  }

  /** The answer to a waiter of `txid` once this node has halted. */
  private haltedError(txid: string): GovchainError {
    return new GovchainError('node.halted', `the node has halted before committing ${txid}: ${this.fault?.message ?? 'unknown reason'}; on a network the transaction may still commit on the other nodes`, { details: { txid } });
  }

  /** Drop `txid` from the admitted set and its signer's pending count. */
  private forget(txid: string): void {
    const a = this.admitted.get(txid);
    if (a === undefined) return;
    this.admitted.delete(txid);
    const n = (this.pendingBySigner.get(a.signer) ?? 1) - 1;
    if (n <= 0) this.pendingBySigner.delete(a.signer);
    else this.pendingBySigner.set(a.signer, n);
  }

  /** Pending (admitted, uncommitted) transactions of `did`. */
  pendingOf(did: string): number {
    return this.pendingBySigner.get(did) ?? 0;
  }

  /** Resolve with the receipt of `txid` once committed (immediately if it already is). */
  waitForCommit(txid: string, timeoutMs = 30_000): Promise<Receipt> {
    const stored = this.store.tx(txid);
    if (stored !== undefined) return Promise.resolve(this.store.receipt(stored.leafIndex)!);
    if (this.fault !== undefined) return Promise.reject(this.haltedError(txid));
    return new Promise((resolve, reject) => {
      const unwait = (): void => {
        clearTimeout(timer);
        this.emitter.off('halt', onHalt);
        const list = this.waiters.get(txid);
        if (list !== undefined) {
          const i = list.indexOf(done);
          if (i >= 0) list.splice(i, 1);
          if (list.length === 0) this.waiters.delete(txid);
        }
      };
      const timer = setTimeout(() => {
        unwait();
        reject(new GovchainError('tx.commit_timeout', `transaction ${txid} was not committed within ${timeoutMs} ms; it may still commit`, { details: { txid } }));
      }, timeoutMs);
      // A node that stops committing answers its waiters at once instead of at their timeout.
      const onHalt = (): void => {
        unwait();
        reject(this.haltedError(txid));
      };
      this.emitter.once('halt', onHalt);
      const done = (r: Receipt): void => {
        clearTimeout(timer);
        this.emitter.off('halt', onHalt);
        resolve(r);
      };
      const list = this.waiters.get(txid);
      if (list === undefined) this.waiters.set(txid, [done]);
      else list.push(done);
    });
  }

  /** Subscribe to committed blocks; returns the unsubscribe function. */
  onCommit(listener: (e: CommitEvent) => void): () => void {
    this.emitter.on('commit', listener);
    return () => this.emitter.off('commit', listener);
  }

  private async onBlock(block: OrderedBlock): Promise<void> {
    const run = this.blockInFlight.then(() => this.executeOrderedBlock(block));
    this.blockInFlight = run.catch(() => {});
    return run;
  }

  /**
   * Execute an ordered block and start writing it. Returns once the write is issued, so
   * the orderer can deliver the next block while this one is fsynced (the next block
   * reads this one's writes through `pending`). At most `MAX_PENDING_BLOCKS` blocks are
   * executed ahead of the disk. Receipts are released only when their block is durable.
   */
  private async executeOrderedBlock(block: OrderedBlock): Promise<void> {
    if (this.stopped || this.fault !== undefined) throw new GovchainError('node.stopping', 'not committing');
    while (this.pending.size >= MAX_PENDING_BLOCKS) await this.durable;
    if (this.fault !== undefined) throw new GovchainError('node.halted', 'not committing');
    const t0 = performance.now();
    try {
      let txs = await this.prepare(block);
      if (this.tamperFrom !== undefined && block.height >= this.tamperFrom && txs.length > 1) txs = txs.slice(1);
      // The validators of this block's checkpoint: the set in state before the block.
      const signing = this.validatorSetOf(this.view);
      if (this.tally !== undefined) this.applyOutcomes(this.tally.useSet(block.height, signing.vkeys.map(parseVerifierKey), signing.quorum));
      const executed = executeBlock(this.view, this.registry, block.height, block.time, txs, { genesis: this.genesis as unknown as GenesisDocument, supportedProtocol: this.supportedProtocol });
      for (const f of executed.faults) this.log.error({ txid: f.txid, err: f.error }, 'module raised an unexpected error; the transaction failed');
      this.metrics.blockExecSeconds.observe((performance.now() - t0) / 1000);
      const head: ChainHead = {
        height: executed.header.height,
        blockHash: executed.blockHash,
        logSize: executed.header.logSize,
        logRoot: executed.header.logRoot,
        stateRoot: executed.header.stateRoot,
        stateVersion: executed.stateVersion,
        time: executed.header.time,
      };
      // A block that appends no leaf (every transaction a duplicate or invalid) leaves the
      // log as it was: the checkpoint of that size already exists and is not signed again.
      const appended = executed.leafData.length > 0 || block.height === 1;
      const checkpoints = appended ? this.signCheckpoints(head, signing) : [];
      const certified = checkpoints.length > 0 && checkpoints[0]!.signatures >= signing.quorum;
      this.pending.push(head, executed);
      const write: BlockWrite = {
        head,
        block: { header: executed.header, txids: executed.txids, stateVersion: executed.stateVersion },
        envelopes: executed.envelopes,
        leafData: executed.leafData,
        logNodes: executed.logNodes,
        smtNodes: executed.smtNodes,
        stateWrites: executed.stateWrites,
        checkpoints: checkpoints.map((c) => ({ size: c.size, note: c.note })),
        certifiedSize: certified ? head.logSize : undefined,
      };
      // Writes are chained: block h+1's transaction starts only after block h is durable,
      // so a failed write can never leave a later block on disk.
      this.durable = this.durable.then(() => this.persist(block, executed, write, t0));
    } catch (e) {
      this.halt(e as Error, block.height);
      throw e;
    }
  }

  private async persist(block: OrderedBlock, executed: ExecutedBlock, write: BlockWrite, t0: number): Promise<void> {
    if (this.fault !== undefined) return;
    try {
      const t1 = performance.now();
      await this.commitWhenSpace(write);
      this.pending.shift();
      if (write.certifiedSize !== undefined) this.certifiedSize = write.certifiedSize;
      const t2 = performance.now();
      this.metrics.blockCommitSeconds.observe((t2 - t1) / 1000);
      this.metrics.blockTotalSeconds.observe((t2 - t0) / 1000);
      this.metrics.blocks.inc();
      this.metrics.height.set(write.head.height);
      this.metrics.logSize.set(write.head.logSize);
      let failed = 0;
      for (const r of executed.receipts) {
        if (r.status === 'failed') failed++;
        const a = this.admitted.get(r.txid);
        if (a !== undefined) {
          this.metrics.commitLatencySeconds.observe((t2 - a.at) / 1000);
          this.forget(r.txid);
        }
        const list = this.waiters.get(r.txid);
        if (list !== undefined) {
          this.waiters.delete(r.txid);
          for (const w of list) w(r);
        }
      }
      if (failed > 0) this.metrics.txCommitted.inc({ status: 'failed' }, failed);
      if (executed.receipts.length > failed) this.metrics.txCommitted.inc({ status: 'ok' }, executed.receipts.length - failed);
      // Ordered but not executed (duplicates of committed txids): forget them too.
      for (const tx of block.txs) this.forget(tx.txid);
      if (this.tally !== undefined) this.afterDurable(write);
      this.warnOfUnsupportedProtocol();
      this.emitter.emit('commit', {
        header: executed.header,
        blockHash: executed.blockHash,
        receipts: executed.receipts,
        firstLeafIndex: write.head.logSize - executed.receipts.length,
      } satisfies CommitEvent);
    } catch (e) {
      this.halt(e as Error, block.height);
    }
  }

  /**
   * Write a block. While the disk of the data folder is full, retry (backoff 250 ms doubling
   * to 5 s) instead of halting: the block, and the few executed after it (`pending`, at most
   * MAX_PENDING_BLOCKS), wait in memory, nothing of them is acknowledged, the node is not
   * ready and refuses new transactions, and it commits again by itself once space is freed.
   * A failed LMDB commit leaves nothing on disk, so writing the same block again commits it
   * exactly once. Any other storage failure, or a stop, ends the wait (the caller halts).
   */
  private async commitWhenSpace(write: BlockWrite): Promise<void> {
    for (let delay = 250; ; delay = Math.min(2 * delay, 5000)) {
      try {
        await this.store.commitBlock(write);
        break;
      } catch (e) {
        if (this.stopped || !(e instanceof GovchainError && e.code === 'store.disk_full')) throw e;
        if (this.diskFull === undefined) {
          this.metrics.ready.set(0);
          this.log.error({ err: e, height: write.head.height }, 'the disk of the data folder is full; retrying the block write until space is freed (not ready meanwhile)');
        }
        this.diskFull = e;
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    if (this.diskFull !== undefined) {
      this.diskFull = undefined;
      if (this.fault === undefined && !this.stopped) this.metrics.ready.set(1);
      this.log.warn({ height: write.head.height }, 'disk space is back: the block is written and the node commits again');
    }
  }

  /** The protocol version in force for the next block, what this node supports, and what is scheduled. */
  protocol(): ProtocolStatus {
    const state = { get: (m: string, k: string) => this.store.stateValue(m, k) };
    const next = (this.store.head()?.height ?? 0) + 1;
    const out: ProtocolStatus = { version: protocolVersionAt(state, next), supported: this.supportedProtocol };
    const s = scheduledProtocol(state, next);
    if (s !== undefined) out.scheduled = { version: s.version, height: s.height };
    return out;
  }

  /** Log once per activation when governance scheduled a version this node cannot run. */
  private warnOfUnsupportedProtocol(): void {
    const s = this.protocol().scheduled;
    if (s === undefined || s.version <= this.supportedProtocol || this.warnedActivations.has(s.height)) return;
    this.warnedActivations.add(s.height);
    this.log.error({ version: s.version, activationHeight: s.height, supported: this.supportedProtocol }, `governance scheduled protocol version ${s.version} from height ${s.height}; this govchain supports up to ${this.supportedProtocol}: upgrade before that height or this node stops there`);
  }

  /** Stop committing for good (storage failure, execution bug): not ready, log loudly. */
  private halt(e: Error, height: number): void {
    if (this.stopped || this.fault !== undefined) return;
    this.fault = e;
    this.pending.clear();
    this.metrics.ready.set(0);
    this.log.fatal({ err: e, height }, 'cannot commit block; the node stops committing and reports not ready');
    this.emitter.emit('halt', e);
  }

  /** Stateless checks for ordered transactions this node did not admit itself. */
  private async prepare(block: OrderedBlock): Promise<ExecutableTx[]> {
    // What a block executes must be a function of the block alone, the same on every node.
    // A transaction this node admitted was checked then (admission's checks include the
    // ordering-mode ones), so its result is reused, but only for the very envelope text it
    // admitted (a txid covers the body, not the signatures: another node may have ordered the
    // same body with other signatures), and read here, before the first await: the mempool
    // moves meanwhile (a publish whose acknowledgement was lost although JetStream stored the
    // message is forgotten when it fails, a block commits), and a transaction looked up after
    // the await could be found on one node and not on another.
    const results: Array<Pick<Admitted, 'envelope' | 'signers' | 'keys'> | undefined> = block.txs.map((t) => {
      const a = this.admitted.get(t.txid);
      return a !== undefined && a.envelope === t.envelope ? a : undefined;
    });
    const unknown = block.txs.flatMap((t, i) => (results[i] === undefined ? [i] : []));
    if (unknown.length > 0) {
      const checked = await this.pool.checkMany(unknown.map((i) => block.txs[i]!.envelope));
      checked.forEach((r, k) => {
        const t = block.txs[unknown[k]!]!;
        if (r.ok && r.txid === t.txid) results[unknown[k]!] = { signers: r.signers, keys: r.keys, envelope: r.canonical };
        else this.log.warn({ txid: t.txid, reason: r.ok ? 'txid mismatch' : r.message }, 'ordered transaction fails the stateless checks; skipped');
      });
    }
    const out: ExecutableTx[] = [];
    block.txs.forEach((t, i) => {
      const a = results[i];
      if (a === undefined) return;
      const env = JSON.parse(a.envelope) as TxEnvelope;
      out.push({ txid: t.txid, envelope: a.envelope, body: env.body, signers: a.signers, keys: a.keys, signatures: env.signatures });
    });
    return out;
  }

  /** Sign the checkpoint of `head` with every local validator key. */
  private signCheckpoints(head: ChainHead, set: ValidatorSet): Array<{ size: number; note: string; signatures: number }> {
    const names = new Map(set.validators.map((v) => [toHex(fromBase64(v.publicKey)), v.name]));
    const mine = this.keys.filter((k) => names.has(toHex(k.publicKey)));
    if (mine.length === 0) return [];
    const cp: Checkpoint = {
      origin: this.genesis.chainId,
      size: head.logSize,
      rootHash: fromHex(head.logRoot),
      height: head.height,
      stateRoot: fromHex(head.stateRoot),
      time: head.time,
    };
    const body = formatCheckpoint(cp);
    const existing = this.store.checkpoint(head.logSize);
    if (existing !== undefined && parseSignedNote(existing).text !== body) {
      // Never sign two different checkpoints for one size (equivocation).
      throw new GovchainError('chain.equivocation_refused', `a different checkpoint for size ${head.logSize} is already stored; refusing to sign another`);
    }
    const sigs: NoteSignature[] = mine.map((k) => signCheckpoint(cp, names.get(toHex(k.publicKey))!, k.seed));
    return [{ size: head.logSize, note: formatSignedNote(body, sigs), signatures: sigs.length }];
  }

  // ---- checkpoint co-signing (network mode) ----

  /** The checkpoint body (C2SP note text) of a block header or head. */
  private checkpointBody(h: { height: number; logSize: number; logRoot: string; stateRoot: string; time: string }): string {
    return formatCheckpoint({ origin: this.genesis.chainId, size: h.logSize, rootHash: fromHex(h.logRoot), height: h.height, stateRoot: fromHex(h.stateRoot), time: h.time });
  }

  /** Our block is durable: share our signature and tally our own body. */
  private afterDurable(write: BlockWrite): void {
    const size = write.head.logSize;
    if (write.certifiedSize !== undefined) return;
    if (write.leafData.length === 0 && write.head.height > 1) return; // no new checkpoint
    this.durableAt.set(size, performance.now());
    if (this.durableAt.size > 10_000) this.durableAt.delete(this.durableAt.keys().next().value!);
    const own = write.checkpoints[0];
    if (own !== undefined && !this.catchingUp) {
      const { text, signatures } = parseSignedNote(own.note);
      for (const sig of signatures) {
        this.signatures!.publishSignature(sig.name, formatSignedNote(text, [sig])).catch((e: Error) => this.log.warn({ err: e.message, size }, 'cannot share the checkpoint signature'));
      }
    }
    this.applyOutcomes(this.tally!.addOwn(write.head.height, this.checkpointBody(write.head)));
  }

  private onSignature(validator: string, note: string): void {
    if (this.stopped) return;
    this.applyOutcomes(this.tally!.addNote(validator, note));
  }

  private applyOutcomes(outcomes: TallyOutcome[]): void {
    for (const o of outcomes) {
      this.tallyWork = this.tallyWork.then(() => this.applyOutcome(o)).catch((e: Error) => this.log.error({ err: e }, 'cannot record a checkpoint outcome'));
    }
  }

  private async applyOutcome(o: TallyOutcome): Promise<void> {
    if (this.stopped) return;
    if (o.kind === 'certified') {
      if (this.fault !== undefined) return; // a halted node certifies nothing new
      const stored = this.checkpointAt(o.size);
      if (stored !== undefined && parseSignedNote(stored.note).signatures.length >= o.signers.length) return;
      await this.store.certifyCheckpoint(o.size, o.note);
      if (stored !== undefined) return; // more signatures on an already certified checkpoint
      if (this.certifiedSize === undefined || o.size > this.certifiedSize) this.certifiedSize = o.size;
      this.metrics.checkpointsCertified.inc();
      const t = this.durableAt.get(o.size);
      if (t !== undefined) {
        this.metrics.certifyLatencySeconds.observe((performance.now() - t) / 1000);
        this.durableAt.delete(o.size);
      }
      this.metrics.certifiedSize.set(this.certifiedSize);
      this.tally!.forgetBelow(Number(o.note.split('\n')[3]!.slice('height '.length)) - 1000);
    } else if (o.kind === 'diverged') {
      this.metrics.diverged.set(1);
      const ours = o.ours.split('\n');
      const theirs = o.theirs.split('\n');
      this.halt(
        new GovchainError('chain.diverged', `this node's checkpoint for log size ${o.size} (root ${ours[2]}, ${ours[4]}) differs from the one signed by a quorum (${o.signers.join(', ')}: root ${theirs[2]}, ${theirs[4]}); its state or code differs from the network's. It stops committing; restore it from a peer or a backup.`),
        Number(ours[3]?.split(' ')[1] ?? 0),
      );
    } else {
      const ev = o.evidence;
      this.metrics.equivocations.inc();
      this.log.error({ validator: ev.validator, size: ev.size }, 'EQUIVOCATION: a validator signed two different checkpoints for one log size; evidence recorded');
      await this.store.putEvidence(ev.size, ev.validator, JSON.stringify(ev));
    }
  }

  /** Recorded equivocation evidence. */
  evidence(): EquivocationEvidence[] {
    return this.store.evidence().map((t) => JSON.parse(t) as EquivocationEvidence);
  }

  /**
   * Catch up from a peer's API when the ordering stream no longer holds what follows
   * `from`: fetch the peer's latest certified checkpoint, check its quorum of signatures
   * against our genesis validators, then fetch and re-execute every block up to it. The
   * blocks become certified here only if our own result equals that checkpoint; otherwise
   * the node halts (the peer served something else than the network certified).
   */
  async catchUpFromPeers(from: OrderingPosition): Promise<OrderingPosition> {
    await this.blockInFlight;
    await this.durable;
    for (const peer of this.peers) {
      try {
        const res = await fetch(new URL('/v1/checkpoint', peer));
        if (!res.ok) continue;
        const note = await res.text();
        const { checkpoint } = verifyCheckpointNote(note, this.vkeys, this.quorum);
        if (checkpoint.origin !== this.genesis.chainId || checkpoint.height <= from.height) continue;
        this.log.warn({ peer, from: from.height, to: checkpoint.height }, 'fetching blocks from a peer');
        this.catchingUp = true;
        try {
          for (let h = from.height + 1; h <= checkpoint.height; h++) {
            const r = await fetch(new URL(`/v1/blocks/${h}/txs`, peer));
            if (!r.ok) throw new Error(`peer answered ${r.status} for block ${h}`);
            const b = (await r.json()) as OrderedBlock;
            if (b.height !== h) throw new Error(`peer sent block ${b.height} for ${h}`);
            await this.onBlock({ height: h, time: b.time, txs: b.txs });
          }
          await this.blockInFlight;
          await this.durable;
        } finally {
          this.catchingUp = false;
        }
        if (this.fault !== undefined) throw this.fault;
        const head = this.store.head()!;
        if (head.height !== checkpoint.height || this.checkpointBody(head) !== parseSignedNote(note).text) {
          this.halt(new GovchainError('chain.diverged', `blocks fetched from ${peer} up to height ${checkpoint.height} do not reproduce the certified checkpoint of size ${checkpoint.size}`), head.height);
          throw this.fault!;
        }
        await this.store.certifyCheckpoint(checkpoint.size, note);
        if (this.certifiedSize === undefined || checkpoint.size > this.certifiedSize) this.certifiedSize = checkpoint.size;
        this.log.warn({ peer, height: head.height }, 'caught up from a peer; blocks verified against the certified checkpoint');
        return { height: head.height, time: head.time };
      } catch (e) {
        if (this.fault !== undefined) throw e;
        this.log.warn({ peer, err: (e as Error).message }, 'cannot catch up from this peer');
      }
    }
    return from;
  }

  // ---- validators ----

  /** The validator set recorded in `view`'s state (governance), or genesis before block 1. */
  private validatorSetOf(view: ChainView): ValidatorSet {
    const gov = readGovernance({ get: (m, k) => view.stateValue(m, k) });
    const validators = gov?.validators ?? this.genesis.validators;
    return {
      validators,
      vkeys: validators.map((v) => formatVerifierKey(v.name, fromBase64(v.publicKey))),
      quorum: quorumFor(validators.length),
    };
  }

  /** The current validator set (committed state): who signs the next checkpoint. */
  validatorSet(): ValidatorSet {
    return this.validatorSetOf({ ...this.view, stateValue: (m, k) => this.store.stateValue(m, k) });
  }

  /** Quorum of the current validator set (floor(2n/3)+1). */
  get quorum(): number {
    return this.validatorSet().quorum;
  }

  /** Signed-note verifier keys of the current validator set. */
  get vkeys(): string[] {
    return this.validatorSet().vkeys;
  }

  // ---- reads ----

  /** The latest certified checkpoint, if any. */
  latestCheckpoint(): CertifiedCheckpoint | undefined {
    if (this.certifiedSize === undefined) return undefined;
    return this.checkpointAt(this.certifiedSize);
  }

  /** The stored certified checkpoint of log size `size`. */
  checkpointAt(size: number): CertifiedCheckpoint | undefined {
    // Only notes that reached the quorum of their height's validator set are stored as
    // certified (at or below `certifiedSize`).
    const note = this.store.checkpoint(size);
    if (note === undefined || this.certifiedSize === undefined || size > this.certifiedSize) return undefined;
    return { note: withCosignatures(this.store, size, note), checkpoint: parseCheckpointText(parseSignedNote(note).text) };
  }

  /** A committed transaction with its receipt. */
  getTx(txid: string): { envelope: TxEnvelope; receipt: Receipt; leafIndex: number } | undefined {
    const t = this.store.tx(txid);
    if (t === undefined) return undefined;
    return { envelope: JSON.parse(t.envelope) as TxEnvelope, receipt: this.store.receipt(t.leafIndex)!, leafIndex: t.leafIndex };
  }

  /** A block by height. */
  getBlock(height: number): StoredBlock | undefined {
    return this.store.block(height);
  }

  /** RFC 6962 inclusion proof of `txid` in the tree of `size` leaves (default: latest certified). */
  proveInclusion(txid: string, size?: number): { leafIndex: number; treeSize: number; leaf: Uint8Array; hashes: Uint8Array[] } {
    const t = this.store.tx(txid);
    if (t === undefined) throw new GovchainError('tx.not_found', `transaction ${txid} is not committed`);
    const treeSize = size ?? this.certifiedSize ?? 0;
    if (size !== undefined && this.checkpointAt(size) === undefined) throw new GovchainError('checkpoint.not_found', `no certified checkpoint of size ${size}`);
    if (t.leafIndex >= treeSize) throw new GovchainError('proof.not_certified_yet', `transaction ${txid} is not yet covered by a certified checkpoint (tree size ${treeSize}); retry shortly`);
    const reader: LogNodeReader = { getNode: (l, i) => this.store.logNode(l, i) };
    return { leafIndex: t.leafIndex, treeSize, leaf: this.store.leaf(t.leafIndex)!, hashes: inclusionProof(reader, t.leafIndex, treeSize) };
  }

  /** RFC 6962 consistency proof between two certified sizes. */
  proveConsistency(from: number, to: number): Uint8Array[] {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || from > to) throw new GovchainError('proof.bad_range', 'need 0 <= from <= to');
    if (this.checkpointAt(to) === undefined) throw new GovchainError('checkpoint.not_found', `no certified checkpoint of size ${to}`);
    if (from > 0 && this.checkpointAt(from) === undefined) throw new GovchainError('checkpoint.not_found', `no certified checkpoint of size ${from}`);
    const reader: LogNodeReader = { getNode: (l, i) => this.store.logNode(l, i) };
    return consistencyProof(reader, from, to);
  }

  /**
   * A state value with its proof against the latest certified checkpoint, or against the
   * certified checkpoint of log size `size` (state-map nodes and replaced values are kept,
   * so any certified root can be proven).
   */
  proveState(module: string, key: string, size?: number): { value: JsonValue | null; proof: SmtProof; checkpoint: CertifiedCheckpoint } {
    const cp = size === undefined ? this.latestCheckpoint() : this.checkpointAt(size);
    if (cp === undefined) throw new GovchainError('checkpoint.not_found', size === undefined ? 'no certified checkpoint yet' : `no certified checkpoint of size ${size}`);
    const rootVersion = this.store.block(cp.checkpoint.height)?.stateVersion;
    const proof = proveSmt(this.view.smtReader, cp.checkpoint.stateRoot, stateMapKey(module, key), rootVersion);
    let value: JsonValue | null = null;
    if (proof.leaf !== null && toHex(proof.leaf.key) === toHex(stateMapKey(module, key))) {
      const text = this.store.valueByHash(proof.leaf.valueHash, module, key);
      if (text === undefined) throw new GovchainError('store.missing_value', `state value ${module}/${key} is missing from the store`);
      value = JSON.parse(text) as JsonValue;
    }
    return { value, proof, checkpoint: cp };
  }

  /** Current (uncertified) state value. */
  stateValue(module: string, key: string): JsonValue | undefined {
    return this.store.stateValue(module, key);
  }

  /** Stop: no new blocks, wait for the one in flight, close everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.metrics.ready.set(0);
    await this.orderer.close();
    await this.blockInFlight;
    await this.durable;
    await this.pool.close();
    await this.store.close();
  }
}
