// The cut rule when NATS servers number one stream differently (cut-reader.ts). The first
// case is the fork the fault suite found: a nats-server holding a replica of the ordering
// stream, SIGKILLed twice under load, re-applied two batch messages on restart, so its copy held them twice
// and numbered every later message two higher; a node reading it cut block 29 three
// transactions short of the proposer, who read another server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutReader, isValidCut, messageId, parseCut, RECENT_IDS_KEPT, type CutRecord, type TxMessage } from './cut-reader.js';
import { nextBlockTime } from './orderer.js';

const T0 = Date.parse('2026-12-03T12:11:13.000Z');
let n = 0;
const tx = () => ({ txid: (n++).toString(16).padStart(64, '0'), envelope: `{"n":${n}}` });
/** A message as published: one or more transactions, and its content id. */
function msg(count: number): Omit<TxMessage, 'seq'> {
  const txs = Array.from({ length: count }, tx);
  const body = new TextEncoder().encode(txs.map((t) => `${t.txid} ${t.envelope}`).join('\n'));
  return { id: messageId('', String(count), body), txs };
}
type Item = { kind: 'tx'; m: Omit<TxMessage, 'seq'> } | { kind: 'cut'; r: CutRecord };
/** Feed a server's copy of the stream (its own numbering from 1) and return the blocks. */
function readAll(stream: Item[], reader = new CutReader(1, 0, '')): Array<{ height: number; txids: string[] }> {
  const blocks: Array<{ height: number; txids: string[] }> = [];
  stream.forEach((item, i) => {
    const seq = i + 1;
    if (item.kind === 'tx') reader.message({ ...item.m, seq });
    else {
      const out = reader.cut(item.r, { seq, stampedMs: Date.parse(item.r.time) }, nextBlockTime);
      if (out.kind === 'block') blocks.push({ height: out.height, txids: out.txs.map((t) => t.txid) });
      else assert.notEqual(out.kind, 'missing', `height ${item.r.height}: messages missing`);
    }
  });
  return blocks;
}
/** The proposer's view: cut after every `per` messages, as a proposer reading this copy would. */
function propose(msgs: Array<Omit<TxMessage, 'seq'>>, per: number): Item[] {
  const out: Item[] = [];
  const reader = new CutReader(1, 0, '');
  let height = 1;
  msgs.forEach((m, i) => {
    out.push({ kind: 'tx', m });
    reader.message({ ...m, seq: out.length });
    if ((i + 1) % per === 0) {
      const p = reader.proposal(5000)!;
      const r: CutRecord = { height: ++height, from: reader.to, to: p.msgs.at(-1)!.seq, time: new Date(T0 + height * 100).toISOString(), msgs: p.msgs.map((x) => x.id) };
      out.push({ kind: 'cut', r });
      reader.cut(r, { seq: out.length, stampedMs: Date.parse(r.time) }, nextBlockTime);
    }
  });
  return out;
}

test('a server holding re-applied copies (every later sequence shifted) yields the same blocks', () => {
  const msgs = Array.from({ length: 30 }, (_, i) => msg(1 + (i % 4)));
  const clean = propose(msgs, 5);
  // Server B: messages 6 and 7 (of the second block) applied twice, right after themselves.
  const shifted = [...clean];
  const at = shifted.findIndex((x) => x.kind === 'tx' && x.m === msgs[7]) + 1;
  shifted.splice(at, 0, { kind: 'tx', m: msgs[6]! }, { kind: 'tx', m: msgs[7]! });
  const expected = readAll(clean);
  assert.equal(expected.length, 6);
  assert.deepEqual(readAll(shifted), expected);
  // The sequence rule (cuts without `msgs`) on the shifted copy forks: the failure found.
  const legacy = (items: Item[]): Item[] => items.map((x) => (x.kind === 'cut' ? { kind: 'cut', r: { ...x.r, msgs: undefined } } : x));
  assert.notDeepEqual(readAll(legacy(shifted)), expected);
  assert.deepEqual(readAll(legacy(clean)), expected);
});

test('a copy re-applied after its block, or listed again by a proposer that forgot it, changes nothing', () => {
  const msgs = Array.from({ length: 10 }, () => msg(2));
  const stream = propose(msgs, 5);
  const first = readAll(stream);
  // A copy of message 2 arrives after block 2 was cut: not ordered again.
  const later: Item[] = [...stream.slice(0, 6), { kind: 'tx', m: msgs[1]! }, ...stream.slice(6)];
  assert.deepEqual(readAll(later), first);
  // A cut naming an earlier block's message again: the node that remembers it skips it
  // (its transactions are committed already; execution would skip them anyway).
  const reader = new CutReader(1, 0, '');
  readAll(stream, reader);
  const extra = msg(1);
  reader.message({ ...extra, seq: 100 });
  const out = reader.cut({ height: 4, from: reader.to, to: 100, time: new Date(T0 + 1000).toISOString(), msgs: [msgs[0]!.id, extra.id] }, { seq: 101, stampedMs: T0 + 1000 }, nextBlockTime);
  assert.equal(out.kind, 'block');
  assert.deepEqual(out.kind === 'block' && out.txs, extra.txs);
  assert.equal(reader.pendingTxs, 0);
});

test('a valid cut naming a message never read is reported missing and changes nothing', () => {
  const reader = new CutReader(5, 40, '2026-12-03T12:00:00.000Z');
  const a = msg(3);
  reader.message({ ...a, seq: 41 });
  const ghost = msg(1);
  const r: CutRecord = { height: 6, from: 40, to: 42, time: '2026-12-03T12:00:01.000Z', msgs: [a.id, ghost.id] };
  assert.deepEqual(reader.cut(r, { seq: 43, stampedMs: Date.parse(r.time) }, nextBlockTime), { kind: 'missing', height: 6, ids: [ghost.id] });
  assert.equal(reader.height, 5);
  assert.equal(reader.pendingTxs, 3);
  // Once read (later on this server), the same cut makes the block, in the cut's order.
  reader.message({ ...ghost, seq: 44 });
  const out = reader.cut(r, { seq: 45, stampedMs: Date.parse(r.time) }, nextBlockTime);
  assert.equal(out.kind, 'block');
  assert.deepEqual(out.kind === 'block' && out.txs.map((t) => t.txid), [...a.txs, ...ghost.txs].map((t) => t.txid));
});

test('the rule: next height, from = previous to, time within skew; the cut\'s own sequence matters only without msgs', () => {
  const r: CutRecord = { height: 8, from: 70, to: 90, time: '2026-12-03T12:00:00.000Z', msgs: [msg(1).id] };
  const at = { seq: 85, stampedMs: Date.parse(r.time) + 1000 };
  assert.equal(isValidCut(r, at, 7, 70), true); // 'to' beyond the cut's own sequence on this server: a hint only
  assert.equal(isValidCut({ ...r, msgs: undefined }, at, 7, 70), false);
  assert.equal(isValidCut(r, at, 6, 70), false);
  assert.equal(isValidCut(r, at, 7, 69), false);
  assert.equal(isValidCut(r, { ...at, stampedMs: at.stampedMs + 61_000 }, 7, 70), false);
  assert.equal(isValidCut({ ...r, to: 60 }, at, 7, 70), false);
  const text = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));
  assert.equal(parseCut(text({ ...r, msgs: [] })), undefined);
  assert.equal(parseCut(text({ ...r, msgs: ['short'] })), undefined);
  assert.equal(parseCut(text({ ...r, msgs: [r.msgs![0], r.msgs![0]] })), undefined);
  assert.deepEqual(parseCut(text(r)), r);
});

test('content ids cover the headers; the remembered ids are bounded', () => {
  const body = new TextEncoder().encode('{"x":1}');
  assert.notEqual(messageId('a'.repeat(64), '', body), messageId('b'.repeat(64), '', body));
  assert.match(messageId('', '2', body), /^[A-Za-z0-9_-]{43}$/);
  const reader = new CutReader(1, 0, '', Array.from({ length: RECENT_IDS_KEPT + 10 }, (_, i) => String(i)));
  // The oldest are forgotten: a copy of id "0" is read again, of the newest it is not.
  assert.equal(reader.message({ seq: 1, id: '0', txs: [tx()] }), true);
  assert.equal(reader.message({ seq: 2, id: String(RECENT_IDS_KEPT + 9), txs: [tx()] }), false);
});
