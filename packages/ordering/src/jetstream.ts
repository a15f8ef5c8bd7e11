/**
 * The JetStream orderer: many nodes, one order, no home-made consensus. NATS JetStream
 * replicates the ordering stream with Raft (replicas=3 in a 3-server cluster); this file
 * only decides how every node reads the same blocks out of it.
 *
 * The ordering stream holds two subjects:
 *   govchain.<chain>.tx    transactions: a message holds one canonical envelope, published
 *                          with Nats-Msg-Id = txid so the stream drops duplicates, or (header
 *                          `Govchain-Txs: <n>`) a batch of n, one `<txid> <envelope>` line
 *                          each, published together by one node (one publish and one ack for
 *                          many admissions; duplicates are then dropped by execution, which
 *                          runs a txid once, ever);
 *   govchain.<chain>.cut   cut records `{"height","from","to","time","proposer","msgs"}`:
 *                          block `height` holds the tx messages whose content ids are
 *                          `msgs`, in that order; `(from, to]` is where the proposer read
 *                          them (a hint: servers may number one stream differently, see
 *                          cut-reader.ts).
 * A cut is appended with `Nats-Expected-Last-Subject-Sequence` = the sequence of the last
 * cut message the proposer has read, so of two proposers racing for one height exactly one
 * succeeds (compare-and-set in the stream leader). Every node reads the stream in order
 * and applies one deterministic rule (isValidCut): a cut is valid when its height is the
 * next one, its `from` is the previous valid cut's `to`, and its time is within
 * MAX_CLOCK_SKEW_MS of the stream's own timestamp of the message; invalid cuts are ignored
 * by everyone. A valid cut naming a message this node never read means its server's copy
 * of the stream differs: it reads again, then catches up from peers (certified blocks),
 * and only after MISSING_GRACE_MS without either does it ignore the cut (a bogus cut, which
 * every node then ignores alike). Block time = max(previous block time, cut time), so it
 * never runs backwards.
 *
 * Proposing is leaderless with a rotation that keeps races rare: for height h the validator
 * at index h mod n proposes after `blockIntervalMs` (or as soon as `maxBlockTxs` wait), the
 * next one after 2x, and so on; a crashed proposer therefore delays a block by one interval
 * and never stalls the chain. Observers never propose.
 *
 * Checkpoint signatures travel on a second stream (govchain.<chain>.sig.<validator>), so
 * that NATS permissions can let each validator publish under its own name only.
 */
import { createHash } from 'node:crypto';
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import {
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { CutReader, isValidCut, messageId, parseCut, type CutRecord, type StampedSeq } from './cut-reader.js';
import { OrdererFullError, nextBlockTime, type BlockHandler, type Orderer, type OrderedTx, type OrderingPosition } from './orderer.js';

export { MAX_CLOCK_SKEW_MS, isValidCut, parseCut, type CutRecord } from './cut-reader.js';

/** Stream and subject names of a chain. */
export function jetStreamNames(chainId: string) {
  const id = chainId.replace(/[^a-zA-Z0-9]/g, '_').toUpperCase();
  return {
    stream: `GOVCHAIN_${id}`,
    sigStream: `GOVCHAIN_${id}_SIG`,
    tx: `govchain.${chainId}.tx`,
    cut: `govchain.${chainId}.cut`,
    sigPrefix: `govchain.${chainId}.sig`,
    sig: (validator: string) => `govchain.${chainId}.sig.${validator}`,
  };
}

/** Settings of the streams of a chain (created once, by the network's operator). */
export interface JetStreamStreamSettings {
  /** Raft replicas of each stream (3 in a 3-server cluster). */
  replicas: number;
  /** Keep at most this many ordering messages (default: unlimited). */
  maxMsgs?: number;
  /** Keep ordering messages at most this long, in ms (default: unlimited). */
  maxAgeMs?: number;
}

/** Create (or update) the ordering and signature streams of a chain. */
export async function ensureJetStreamStreams(jsm: JetStreamManager, chainId: string, s: JetStreamStreamSettings): Promise<void> {
  const n = jetStreamNames(chainId);
  const ordering = {
    name: n.stream,
    subjects: [n.tx, n.cut],
    num_replicas: s.replicas,
    max_msgs: s.maxMsgs ?? -1,
    max_age: s.maxAgeMs === undefined ? 0 : s.maxAgeMs * 1_000_000,
    duplicate_window: 120 * 1_000_000_000,
  } as const;
  const sigs = { name: n.sigStream, subjects: [`${n.sigPrefix}.*`], num_replicas: s.replicas, max_age: 24 * 3600 * 1_000_000_000 } as const;
  for (const cfg of [ordering, sigs]) {
    try {
      await jsm.streams.info(cfg.name);
      await jsm.streams.update(cfg.name, cfg as any);
    } catch (e) {
      if (!/not found/i.test((e as Error).message)) throw e;
      await jsm.streams.add(cfg as any);
    }
  }
}

/** Connect as the operator and create (or update) the streams of a chain. */
export async function provisionJetStream(servers: string[], auth: { user?: string; pass?: string }, chainId: string, s: JetStreamStreamSettings): Promise<void> {
  const nc = await connectNats(servers, auth, 'govchain operator');
  try {
    await ensureJetStreamStreams(await jetstreamManager(nc, { timeout: 5000 }), chainId, s);
  } finally {
    await nc.close();
  }
}

/** Connect to NATS with the settings every govchain component uses. */
export async function connectNats(servers: string[], auth: { user?: string; pass?: string } = {}, name = 'govchain'): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    ...(auth.user === undefined ? {} : { user: auth.user, pass: auth.pass ?? '' }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 5000,
    pingInterval: 5000,
  });
}

/** A checkpoint signature as shared between validators. */
export interface SharedSignature {
  /** Validator name the subject claims (NATS permissions bind it to the publisher). */
  readonly validator: string;
  /** A C2SP signed note carrying that validator's signature. */
  readonly note: string;
}

/** How validators share checkpoint signatures (the JetStream orderer implements it). */
export interface SignatureChannel {
  /** Publish `note` (signed by `validator`) durably to every node. */
  publishSignature(validator: string, note: string): Promise<void>;
  /** Receive every retained and future signature, in stream order. */
  subscribeSignatures(handler: (s: SharedSignature) => void): Promise<void>;
}

/** Options of {@link createJetStreamOrderer}. */
export interface JetStreamOrdererOptions {
  servers: string[];
  chainId: string;
  user?: string;
  pass?: string;
  /** The validators' names in genesis order (the proposer rotation). */
  validators: readonly string[];
  /** This node's validator name; undefined for an observer (never proposes). */
  self?: string | undefined;
  /** Wait before proposing a non-empty block (default 200 ms). */
  blockIntervalMs?: number;
  /** Most transactions per proposed block (default 5,000). */
  maxBlockTxs?: number;
  /** Most transactions waiting to be cut (default 100,000); further submissions are refused. */
  maxPending?: number;
  /**
   * Most transactions per published message (default 256): submissions that arrive while
   * earlier publishes await their acks leave together. 1 publishes one message per
   * transaction, readable by releases before batch messages (docs/network.md).
   */
  maxPublishBatch?: number;
  /**
   * Called when the stream no longer holds what follows `from` (trimmed by max-msgs or
   * max-age): the node must obtain those blocks elsewhere (peers) and resolve with its new
   * position. Without it, the orderer stops with an error.
   */
  onTrimmed?: (from: OrderingPosition) => Promise<OrderingPosition>;
  /** Where to report problems (default: console.error). */
  warn?: (msg: string, details?: object) => void;
  now?: () => number;
  /** How long to wait at start for JetStream to answer (leader elections), default 60 s. */
  startupTimeoutMs?: number;
}

/** Header of a batch message: the number of `<txid> <envelope>` lines of its body. */
export const BATCH_HEADER = 'Govchain-Txs';

/** Body of a batch message: one `<txid> <envelope>` line per transaction (canonical JSON has no raw newline). */
export function encodeTxBatch(txs: readonly OrderedTx[]): string {
  return txs.map((t) => `${t.txid} ${t.envelope}`).join('\n');
}

/** The transactions of a batch message; undefined when the body does not hold exactly `count` well-formed lines. */
export function decodeTxBatch(body: string, count: number): OrderedTx[] | undefined {
  const lines = body.split('\n');
  if (!Number.isSafeInteger(count) || count < 1 || lines.length !== count) return undefined;
  const txs: OrderedTx[] = [];
  for (const line of lines) {
    if (line.length < 66 || line.charCodeAt(64) !== 32) return undefined;
    txs.push({ txid: line.slice(0, 64), envelope: line.slice(65) });
  }
  return txs;
}

/** Publishes in flight at once; what is submitted meanwhile waits and leaves as one batch. */
const MAX_PUBLISHES_IN_FLIGHT = 4;
/** Longest wait for a publish's settlement before its in-flight slot is freed (the client's own timeout is 10 s). */
const PUBLISH_GUARD_MS = 15_000;
/** Largest batch message body, well under NATS's default max_payload of 1 MB. */
const MAX_BATCH_BYTES = 512 * 1024;

/** The JetStream orderer; also the signature channel of the node. */
export type JetStreamOrderer = Orderer & SignatureChannel & { readonly connection: NatsConnection };

/** Connect and create a JetStream orderer (the streams must exist). */
export async function createJetStreamOrderer(opts: JetStreamOrdererOptions): Promise<JetStreamOrderer> {
  const maxPublishBatch = opts.maxPublishBatch ?? 256;
  if (!Number.isSafeInteger(maxPublishBatch) || maxPublishBatch < 1) throw new RangeError(`maxPublishBatch: expected a positive integer, got ${opts.maxPublishBatch}`);
  const names = jetStreamNames(opts.chainId);
  const warn = opts.warn ?? ((m: string, d?: object) => console.error(m, d ?? ''));
  const nc = await connectNats(opts.servers, opts, `govchain ${opts.self ?? 'observer'}`);
  const js = jetstream(nc, { timeout: 10_000 });
  // A node (re)started while JetStream elects its leaders (a NATS server just restarted)
  // gets timeouts for some seconds: wait for the cluster instead of exiting.
  const startupDeadline = Date.now() + (opts.startupTimeoutMs ?? 60_000);
  let jsm: JetStreamManager;
  try {
    jsm = await untilAvailable('the JetStream cluster', startupDeadline, warn, async () => {
      const m = await jetstreamManager(nc, { timeout: 5000 });
      await m.streams.info(names.stream);
      return m;
    });
  } catch (e) {
    await nc.close().catch(() => {});
    throw new Error(`ordering stream ${names.stream} is not available (${(e as Error).message}); create it with "govchain network up" or ensureJetStreamStreams`);
  }
  const interval = opts.blockIntervalMs ?? 200;
  const maxBlockTxs = opts.maxBlockTxs ?? 5000;
  const maxPending = opts.maxPending ?? 100_000;
  const now = opts.now ?? Date.now;
  const selfIndex = opts.self === undefined ? -1 : opts.validators.indexOf(opts.self);

  // Reader state: the last valid block and what follows it (see cut-reader.ts).
  let reader = new CutReader(0, 0, '');
  let lastCutSeq = 0; // stream sequence of the last cut message read (valid or not)
  let nextSeq = 1; // the stream sequence the reader expects next
  let firstPendingAt = 0;
  let handler: BlockHandler | undefined;
  let messages: ConsumerMessages | undefined;
  let closed = false;
  // A valid cut naming messages this node has not read: since when, and the cuts given up on
  // (by the SHA-256 of their text) after MISSING_GRACE_MS.
  let missing: { key: string; since: number; rereads: number } | undefined;
  const givenUp = new Set<string>();
  // Hashes a cut only when some cut was given up (almost never).
  const isGivenUp = (data: Uint8Array): boolean => givenUp.size > 0 && givenUp.has(cutKey(data));
  // Proposer state.
  let proposing: number | undefined; // height of a cut in flight or awaiting read-back
  let failedAtCutSeq = -1;
  // When a cut that failed for another reason than a lost race may be tried again (see propose).
  let retryCutAt = Infinity;
  let timer: ReturnType<typeof setInterval> | undefined;
  const sigSubs: ConsumerMessages[] = [];

  /**
   * Find where to read from to resume after block `pos.height`: the stream sequence to read
   * after, the last valid cut's `to`, and the message ids of the blocks just before (a
   * server whose copy holds re-applied messages numbers them higher, so reading starts a few
   * blocks early and what was in a block already is recognised by id). Undefined when trimmed.
   */
  const locate = async (pos: OrderingPosition): Promise<{ start: number; to: number; recent: string[] } | undefined> => {
    const info = await jsm.streams.info(names.stream);
    const first = Math.max(1, info.state.first_seq);
    if (pos.height === 0) return first <= 1 ? { start: 0, to: 0, recent: [] } : undefined;
    // "No such message" is an answer; a timeout is not (taking it for "no cut yet" would make
    // the node read from the start of the stream at its own height and ignore every cut).
    const last = await jsm.streams.getMessage(names.stream, { last_by_subj: names.cut }).catch((e: Error) => {
      if (/timeout|no responders/i.test(e.message)) throw e;
      return null;
    });
    // No cut yet (a new network; nodes may start above height 0 with blocks computed
    // locally, such as a genesis block): read from the beginning unless trimmed.
    if (last === null) return first <= 1 ? { start: 0, to: 0, recent: [] } : undefined;
    const lastRec = parseCut(last.data);
    if (lastRec !== undefined && lastRec.height < pos.height) throw new Error(`the ordering stream ends at height ${lastRec.height}, below this node's height ${pos.height}: wrong stream or network`);
    // Scan the cut records (small) for the end of block pos.height, following the valid cuts
    // only, with the reader's own rule: a stream may hold several cuts for one height (a
    // proposer whose clock is off by more than MAX_CLOCK_SKEW_MS, say), and resuming after
    // an invalid one's `to` would make this node's next blocks differ from everyone else's.
    // An untrimmed stream is followed from its start (block 1 is computed locally, so the
    // first valid cut is for height 2 from sequence 0); a trimmed one from its first cut.
    const c = await js.consumers.get(names.stream, { filter_subjects: names.cut, deliver_policy: DeliverPolicy.All });
    const it = await c.consume(CONSUME);
    let valid: { height: number; to: number } | undefined = first <= 1 ? { height: 1, to: 0 } : undefined;
    let found: number | undefined = valid?.height === pos.height ? valid.to : undefined;
    // The last RESUME_BACK_BLOCKS valid cuts up to pos.height: where to start, and their ids.
    const back: CutRecord[] = [];
    try {
      if (found === undefined) {
        for await (const m of it) {
          const r = parseCut(m.data);
          if (r !== undefined && valid === undefined && r.height === pos.height + 1) found = r.from;
          else if (r !== undefined && (valid === undefined || isValidCut(r, stamped(m), valid.height, valid.to)) && !isGivenUp(m.data)) {
            valid = { height: r.height, to: r.to };
            if (r.height <= pos.height) {
              back.push(r);
              if (back.length > RESUME_BACK_BLOCKS) back.shift();
            }
          }
          if (found === undefined && valid?.height === pos.height) found = valid.to;
          if (found !== undefined || m.seq >= last.seq) break;
        }
      }
    } finally {
      it.stop();
    }
    if (found === undefined || found + 1 < first) return undefined;
    // Cuts of the earlier format name sequences, not ids: start exactly after `found` then.
    const early = back.every((r) => r.msgs !== undefined) && back.length > 0 ? Math.max(first - 1, back[0]!.from) : found;
    return { start: Math.min(early, found), to: found, recent: back.flatMap((r) => r.msgs ?? []) };
  };

  type Handled = 'ok' | 'gap' | { missing: string };
  const handle = async (m: JsMsg): Promise<Handled> => {
    if (m.seq < nextSeq) return 'ok'; // redelivered after a consumer reset
    if (m.seq > nextSeq) return 'gap'; // a gap: the stream was trimmed beneath us
    nextSeq = m.seq + 1;
    if (m.subject === names.tx) {
      const count = m.headers?.get(BATCH_HEADER) ?? '';
      const txidHeader = m.headers?.get('Nats-Msg-Id') ?? '';
      let txs: OrderedTx[] | undefined;
      if (count === '') txs = [{ txid: txidHeader, envelope: m.string() }];
      else {
        // Every node applies the same rule: a malformed batch orders nothing.
        txs = decodeTxBatch(m.string(), Number(count));
        if (txs === undefined) warn('ignoring a malformed transaction batch', { seq: m.seq });
      }
      if (txs !== undefined) {
        const wasEmpty = reader.pendingTxs === 0;
        if (reader.message({ seq: m.seq, id: messageId(txidHeader, count, m.data), txs }) && wasEmpty) firstPendingAt = now();
      }
      return 'ok';
    }
    if (m.subject !== names.cut) return 'ok';
    lastCutSeq = m.seq;
    const r = parseCut(m.data);
    if (r !== undefined && r.height > reader.height && isGivenUp(m.data)) return 'ok';
    const out = reader.cut(r, stamped(m), nextBlockTime);
    if (out.kind === 'stale') return 'ok';
    if (out.kind === 'invalid') {
      warn('ignoring an invalid cut record', { seq: m.seq, record: r, height: reader.height, to: reader.to });
      return 'ok';
    }
    if (out.kind === 'missing') return { missing: cutKey(m.data) };
    missing = undefined;
    if (reader.pendingTxs > 0) firstPendingAt = now();
    if (proposing !== undefined && proposing <= reader.height) proposing = undefined;
    try {
      await handler!({ height: out.height, time: out.time, txs: out.txs });
    } catch (e) {
      throw new HandlerFailed(e);
    }
    return 'ok';
  };

  /**
   * Read the stream from `nextSeq` until closed, a gap (trimmed), a cut naming messages not
   * read, or the consumer is lost (its NATS server died): 'again' resumes from the same
   * position. Handler failures throw.
   */
  const read = async (): Promise<'closed' | 'gap' | 'again' | { missing: string }> => {
    try {
      const c = await js.consumers.get(names.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: nextSeq });
      const it = (messages = await c.consume(CONSUME));
      const dog = watchdog(it, async () => (await jsm.streams.info(names.stream)).state.last_seq >= nextSeq);
      try {
        for await (const m of it) {
          dog.fed();
          if (closed) return 'closed';
          const h = await handle(m);
          if (h !== 'ok') return h;
          dog.fed();
        }
      } finally {
        dog.stop();
      }
    } catch (e) {
      if (e instanceof HandlerFailed) throw e.cause;
      if (!closed) warn('lost the ordering consumer; re-creating it', { err: (e as Error).message });
    } finally {
      messages?.stop();
      messages = undefined;
    }
    if (closed) return 'closed';
    await sleep(250);
    return 'again';
  };

  /**
   * A valid cut names messages this node never read. Its server's copy of the stream differs
   * from the proposer's (or the cut is bogus). Read again from a few blocks back (the new
   * consumer may be served by another server); then catch up from peers, whose blocks are
   * checked against a certified checkpoint; after MISSING_GRACE_MS with neither, give the cut
   * up: every node that cannot find its messages does the same.
   */
  const onMissing = async (key: string, pos: OrderingPosition): Promise<OrderingPosition> => {
    if (missing?.key !== key) missing = { key, since: now(), rereads: 0 };
    warn('a cut record names transaction messages this node has not read; its NATS server may hold a different copy of the stream', { height: pos.height + 1, rereads: missing.rereads, waitedMs: now() - missing.since });
    if (missing.rereads++ === 0) return pos;
    if (opts.onTrimmed !== undefined) {
      const next = await opts.onTrimmed(pos);
      if (next.height > pos.height) {
        missing = undefined;
        return next;
      }
    }
    if (now() - missing.since >= MISSING_GRACE_MS) {
      warn('giving up a cut record whose transaction messages no node could provide; it is ignored', { height: pos.height + 1 });
      givenUp.add(key);
      missing = undefined;
      return pos;
    }
    await sleep(1000);
    return pos;
  };

  const run = async (from: OrderingPosition): Promise<void> => {
    let pos = from;
    while (!closed) {
      let where: Awaited<ReturnType<typeof locate>>;
      try {
        where = await locate(pos);
      } catch (e) {
        // A request to JetStream timed out (a loaded machine, a leader election): finding
        // where to resume is only a read, so try again rather than stop ordering for good.
        if (closed || !/timeout|no responders/i.test((e as Error).message)) throw e;
        warn('cannot locate the resume position in the ordering stream yet; retrying', { height: pos.height, err: (e as Error).message });
        await sleep(1000);
        continue;
      }
      if (where === undefined) {
        if (opts.onTrimmed === undefined) throw new Error(`the ordering stream no longer holds the blocks after height ${pos.height}`);
        warn('the ordering stream was trimmed past this node; catching up from peers', { height: pos.height });
        const next = await opts.onTrimmed(pos);
        if (next.height === pos.height) await sleep(1000);
        pos = next;
        continue;
      }
      reader = new CutReader(pos.height, where.to, pos.time, where.recent);
      nextSeq = where.start + 1;
      let why = await read();
      while (why === 'again') why = await read(); // same position, buffer kept
      if (why === 'closed') return;
      pos = { height: reader.height, time: reader.time };
      if (why !== 'gap') pos = await onMissing(why.missing, pos);
    }
  };

  // Publishing: submissions queue in `outgoing`; at most MAX_PUBLISHES_IN_FLIGHT messages
  // await their acks, each carrying what queued meanwhile (up to maxPublishBatch), so a
  // busy node sends few large messages and an idle one sends each transaction at once.
  let outgoing: Array<{ tx: OrderedTx; resolve: () => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;
  let publishScheduled = false;
  const publishSoon = (): void => {
    if (publishScheduled) return;
    publishScheduled = true;
    setImmediate(publishQueued);
  };
  const publishQueued = (): void => {
    publishScheduled = false;
    while (outgoing.length > 0 && inFlight < MAX_PUBLISHES_IN_FLIGHT) {
      let n = 0;
      let bytes = 0;
      while (n < outgoing.length && n < maxPublishBatch && (n === 0 || bytes + outgoing[n]!.tx.envelope.length + 66 <= MAX_BATCH_BYTES)) bytes += outgoing[n++]!.tx.envelope.length + 66;
      const batch = outgoing.slice(0, n);
      outgoing = outgoing.slice(n);
      inFlight++;
      const published =
        batch.length === 1
          ? js.publish(names.tx, batch[0]!.tx.envelope, { msgID: batch[0]!.tx.txid })
          : js.publish(names.tx, encodeTxBatch(batch.map((b) => b.tx)), { headers: batchHeaders(batch.length) });
      // The client times a publish out after 10 s; should an answer never come at all (a
      // connection lost mid-request), the slot is freed anyway so later submissions flow.
      let guard: ReturnType<typeof setTimeout> | undefined;
      const sent = Promise.race([
        published,
        new Promise<never>((_, reject) => {
          guard = setTimeout(() => reject(new Error('no acknowledgement from JetStream within 15 s')), PUBLISH_GUARD_MS);
        }),
      ]).finally(() => clearTimeout(guard));
      sent.then(
        () => batch.forEach((b) => b.resolve()),
        (e: unknown) => batch.forEach((b) => b.reject(e)),
      ).finally(() => {
        inFlight--;
        if (outgoing.length > 0) publishSoon();
      });
    }
  };

  const propose = async (): Promise<void> => {
    if (closed || selfIndex < 0 || handler === undefined || reader.pendingTxs === 0 || proposing !== undefined || missing !== undefined) return;
    if (failedAtCutSeq === lastCutSeq && now() < retryCutAt) return;
    const h = reader.height + 1;
    const n = opts.validators.length;
    const rank = (((selfIndex - (h % n)) % n) + n) % n;
    const full = reader.pendingTxs >= maxBlockTxs;
    if (!(full && rank === 0) && now() < firstPendingAt + interval * (1 + rank)) return;
    // A block ends at a message boundary (a batch message is cut whole): at most
    // maxBlockTxs transactions unless the first message alone holds more.
    const p = reader.proposal(maxBlockTxs);
    if (p === undefined) return;
    const lastSeq = p.msgs[p.msgs.length - 1]!.seq;
    const record: CutRecord = { height: h, from: reader.to, to: Math.max(reader.to, lastSeq), time: nextBlockTime(reader.time, now()), proposer: opts.self!, msgs: p.msgs.map((m) => m.id) };
    proposing = h;
    try {
      await js.publish(names.cut, JSON.stringify(record), { expect: { lastSubjectSequence: lastCutSeq } });
    } catch (e) {
      // Another proposer won this height (wrong last sequence): retry only once the reader
      // has moved on past the winner's cut. Any other failure (no stream leader while
      // JetStream elects one after a NATS server died, a timeout) is retried after a pause
      // even if no cut arrives: every validator may have failed at once, and waiting for a
      // cut that nobody will append stalled the whole chain for good. Retrying is safe: the
      // compare-and-set on the last cut sequence lets at most one cut follow `lastCutSeq`.
      failedAtCutSeq = lastCutSeq;
      proposing = undefined;
      const lostRace = /wrong last sequence/i.test((e as Error).message);
      retryCutAt = lostRace ? Infinity : now() + CUT_RETRY_MS * (1 + rank);
      if (!lostRace) warn('cannot append a cut record; retrying', { err: (e as Error).message, retryInMs: CUT_RETRY_MS * (1 + rank) });
    }
  };

  return {
    kind: 'jetstream',
    connection: nc,
    submit(tx) {
      if (closed) return Promise.reject(new OrdererFullError('orderer is closed'));
      if (reader.pendingTxs + outgoing.length >= maxPending) return Promise.reject(new OrdererFullError(`too many transactions waiting to be ordered (${maxPending})`));
      return new Promise<void>((resolve, reject) => {
        outgoing.push({ tx, resolve, reject });
        publishSoon();
      });
    },
    async start(from, onBlock) {
      handler = onBlock;
      timer = setInterval(() => {
        if (proposing !== undefined && proposing <= reader.height) proposing = undefined;
        if (failedAtCutSeq !== -1 && failedAtCutSeq !== lastCutSeq) failedAtCutSeq = -1;
        void propose();
      }, Math.max(10, Math.min(50, interval / 4)));
      run(from).catch((e: Error) => {
        // The node stopped taking blocks (halted or stopping) or the stream is unusable:
        // stop proposing too.
        handler = undefined;
        if (!closed) warn('the JetStream orderer stopped', { err: e.message });
      });
    },
    pending: () => reader.pendingTxs,
    async publishSignature(validator, note) {
      // Retried through a stream-leader election (a NATS server going down).
      for (let attempt = 0; ; attempt++) {
        try {
          await js.publish(names.sig(validator), note);
          return;
        } catch (e) {
          if (closed || attempt >= 20) throw e;
          await sleep(500);
        }
      }
    },
    async subscribeSignatures(onSig) {
      const prefix = names.sigPrefix + '.';
      let after = 0;
      const subscribe = async (): Promise<ConsumerMessages> => {
        const c = await js.consumers.get(names.sigStream, after === 0 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 });
        const it = await c.consume(CONSUME);
        sigSubs.push(it);
        return it;
      };
      let it = await untilAvailable('the signature stream', Date.now() + (opts.startupTimeoutMs ?? 60_000), warn, subscribe);
      void (async () => {
        while (!closed) {
          const dog = watchdog(it, async () => (await jsm.streams.info(names.sigStream)).state.last_seq > after);
          try {
            for await (const m of it) {
              dog.fed();
              if (closed) break;
              after = m.seq;
              if (!m.subject.startsWith(prefix)) continue;
              try {
                onSig({ validator: m.subject.slice(prefix.length), note: m.string() });
              } catch (e) {
                warn('signature handler failed', { err: (e as Error).message });
              }
            }
          } catch (e) {
            if (!closed) warn('lost the signature consumer; re-creating it', { err: (e as Error).message });
          } finally {
            dog.stop();
          }
          if (closed) break;
          await sleep(250);
          it = await subscribe().catch(() => it);
        }
      })();
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const o of outgoing.splice(0)) o.reject(new OrdererFullError('orderer is closed'));
      if (timer !== undefined) clearInterval(timer);
      messages?.stop();
      for (const s of sigSubs) s.stop();
      await nc.close().catch(() => {});
    },
  };
}

/** Headers of a batch message of `count` transactions. */
function batchHeaders(count: number): MsgHdrs {
  const h = natsHeaders();
  h.set(BATCH_HEADER, String(count));
  return h;
}

/**
 * Pull settings of every consumer: short expiries so that heartbeats are frequent and a
 * consumer lost with its NATS server is noticed and re-created within seconds.
 */
const CONSUME = { max_messages: 2000, expires: 2000, idle_heartbeat: 1000 };

/**
 * A consumer whose NATS server died may go silent without an error. When nothing arrived
 * for STALL_MS although `behind()` says the stream holds more, stop it (the caller
 * re-creates it from where it was).
 */
function watchdog(it: ConsumerMessages, behind: () => Promise<boolean>): { fed(): void; stop(): void } {
  let last = Date.now();
  let checking = false;
  const timer = setInterval(() => {
    if (checking || Date.now() - last < STALL_MS) return;
    checking = true;
    behind()
      .then((yes) => {
        if (yes && Date.now() - last >= STALL_MS) it.stop();
        else last = Date.now();
      })
      .catch(() => {})
      .finally(() => (checking = false));
  }, 500);
  return { fed: () => (last = Date.now()), stop: () => clearInterval(timer) };
}

const STALL_MS = 2500;

/** Valid cuts before a node's height whose messages are remembered when it resumes (see locate). */
const RESUME_BACK_BLOCKS = 64;

/** How long a node looks for the messages a valid cut names (re-reading, then peers) before it ignores the cut. */
const MISSING_GRACE_MS = 30_000;

/** The stream sequence and timestamp of a message, as the cut rule needs them. */
function stamped(m: Pick<JsMsg, 'seq' | 'info'>): StampedSeq {
  return { seq: m.seq, stampedMs: Number(BigInt(m.info.timestampNanos) / 1_000_000n) };
}

/** Identity of a cut record (its text), for cuts given up on. */
function cutKey(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** Pause before a validator retries a cut that NATS refused (times its rotation rank + 1). */
const CUT_RETRY_MS = 500;

/** Wraps an error of the block handler, so that it is not mistaken for a NATS problem. */
class HandlerFailed extends Error {
  constructor(override readonly cause: unknown) {
    super('block handler failed');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn` until it succeeds or `deadline` passes, once a second; a missing stream ("not
 * found") is final, anything else (timeouts, no responders while leaders are elected) is
 * retried.
 */
async function untilAvailable<T>(what: string, deadline: number, warn: (msg: string, details?: object) => void, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (/not found/i.test((e as Error).message) || Date.now() >= deadline) throw e;
      if (attempt === 0) warn(`waiting for ${what}`, { err: (e as Error).message });
      await sleep(1000);
    }
  }
}
