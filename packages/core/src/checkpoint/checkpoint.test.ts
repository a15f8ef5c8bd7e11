import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64, toBase64, utf8 } from '../bytes.js';
import { keyPairFromSeed, sha256 } from '../crypto.js';
import { isGovchainError } from '../errors.js';
import {
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  parseCheckpoint,
  parseSignedNote,
  parseVerifierKey,
  quorumFor,
  signCheckpoint,
  signNote,
  verifyCheckpointNote,
  type Checkpoint,
  type NoteSignature,
} from './index.js';

const code = (c: string) => (e: unknown) => isGovchainError(e, c);
const details = (c: string, d: Record<string, unknown>) => (e: unknown) => {
  assert.ok(isGovchainError(e, c), String(e));
  for (const [k, v] of Object.entries(d)) assert.deepEqual(e.details?.[k], v, k);
  return true;
};

// Four validators with fixed seeds (the example of docs/checkpoints.md).
const seeds = [1, 2, 3, 4].map((i) => sha256(utf8(`govchain checkpoint example validator ${i}`)));
const names = [1, 2, 3, 4].map((i) => `validator-${i}`);
const vkeys = seeds.map((s, i) => formatVerifierKey(names[i]!, keyPairFromSeed(s).publicKey));
const outsiderSeed = sha256(utf8('not a validator'));

const cp: Checkpoint = {
  origin: 'govchain-dev',
  size: 42,
  rootHash: sha256(utf8('example log root')),
  height: 17,
  stateRoot: sha256(utf8('example state root')),
  time: '2026-01-01T12:00:00.000Z',
};
const BODY =
  'govchain-dev\n42\nJ9TjninPJlbyDUPOiQa+XhFFEFVb7ht93qGoeyMzank=\nheight 17\n' +
  'state rKf4fKIuQdvTvVuUn1gTtiAPLgAVME76fREtP9bRLjs=\ntime 2026-01-01T12:00:00.000Z\n';
// Produced by this code and reproduced independently with Python's `cryptography`
// (hashlib SHA-256 key hashes, Ed25519 over the body); Ed25519 is deterministic.
const VKEYS = [
  'validator-1+9e8af652+ASzt2E1fU0ftAABDaZhWcvxOk+X1JFc2l5sH3wA5BLvV',
  'validator-2+1e13d008+Aa9SP7ZmpoOpqDk0NOq6/1ieMt87lrNabwzdnTx+icir',
  'validator-3+98d17316+AVFBDhIxxT7kI+AJOW2OjlbKREScmG7icpQOpQQHyi2b',
  'validator-4+db313362+AeHmsdewQI2XkLScWcu7Pg3ToP+izWj/6LEcUwuJipmw',
];
const NOTE =
  BODY +
  '\n' +
  '— validator-1 nor2UrmSOtPV6Wh3duU6B0dGwOd3QCpnWzXpIm9tj4nO60wvzNtZUHQfx7Wl746N/aUR2EGLXvO39PmMNjbh8JfHyAg=\n' +
  '— validator-2 HhPQCFM+3T2FwumpE3/DDUdR4WpxLjD6tQf+eSOoC5WRLYEcr37I3yOpC3bKgdD/hw3pbIMLvxpJBCuJdibZ4/oCWAU=\n' +
  '— validator-3 mNFzFnfcVh4V1JB1VUmU36SWzfHG069bGxhha2XaC8ab3FZn3KwVYiMLqSBJlZZFnHOLcAYTT4HXvCnl8hpeCqPL1AI=\n' +
  '— validator-4 2zEzYk/PfVglfybEiQcQ32HBIT2JD4o0IunpuKR0nCvCpzjle9NU2ZL/TNAkoKEd6WRCCeLw/MYr42g6hsvH+0UFGAU=\n';

const sigs: NoteSignature[] = seeds.map((s, i) => signCheckpoint(cp, names[i]!, s));
const noteOf = (list: NoteSignature[], body = BODY) => formatSignedNote(body, list);
const QUORUM = quorumFor(4);

// ---- body format -------------------------------------------------------------------------

test('the checkpoint body is origin, size, root, then height, state and time lines', () => {
  assert.equal(formatCheckpoint(cp), BODY);
  const back = parseCheckpoint(BODY);
  assert.deepEqual(back, cp);
  assert.equal(formatCheckpoint(back), BODY);
});

test('known answer: four validators sign the example checkpoint', () => {
  assert.deepEqual(vkeys, VKEYS);
  assert.equal(noteOf(sigs), NOTE);
  const r = verifyCheckpointNote(NOTE, VKEYS, QUORUM);
  assert.deepEqual(r.checkpoint, cp);
  assert.deepEqual(r.signers, names);
});

test('quorum is floor(2n/3) + 1', () => {
  const want: Array<[number, number]> = [[1, 1], [2, 2], [3, 3], [4, 3], [5, 4], [6, 5], [7, 5], [10, 7], [100, 67]];
  for (const [n, q] of want) assert.equal(quorumFor(n), q, `n=${n}`);
  for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => quorumFor(bad), RangeError);
});

test('a checkpoint round-trips at the edges: size 0, height 0, large sizes, whole seconds', () => {
  const edge: Checkpoint = { ...cp, size: 0, height: 0, time: '2024-02-29T23:59:59Z' };
  assert.deepEqual(parseCheckpoint(formatCheckpoint(edge)), edge);
  const big: Checkpoint = { ...cp, size: Number.MAX_SAFE_INTEGER, height: 1e12 };
  assert.deepEqual(parseCheckpoint(formatCheckpoint(big)), big);
});

test('formatCheckpoint refuses programming errors', () => {
  assert.throws(() => formatCheckpoint({ ...cp, origin: '' }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, origin: 'a\nb' }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, size: -1 }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, size: 1.5 }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, height: 2 ** 53 }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, rootHash: cp.rootHash.slice(1) }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, stateRoot: 'x' as unknown as Uint8Array }), TypeError);
  assert.throws(() => formatCheckpoint({ ...cp, time: '2026-01-01T12:00:00+00:00' }), RangeError);
  assert.throws(() => formatCheckpoint({ ...cp, time: '2026-02-30T12:00:00Z' }), RangeError);
});

// ---- parse rejections --------------------------------------------------------------------

test('parseCheckpoint rejects anything but the one canonical text', () => {
  const root = toBase64(cp.rootHash);
  const state = toBase64(cp.stateRoot);
  const body = (lines: string[]) => lines.join('\n') + '\n';
  const good = ['govchain-dev', '42', root, 'height 17', `state ${state}`, 'time 2026-01-01T12:00:00.000Z'];
  const edit = (i: number, v: string) => body(good.map((l, k) => (k === i ? v : l)));
  const cases: Record<string, string> = {
    'no final newline': BODY.slice(0, -1),
    'empty origin': edit(0, ''),
    'size with a leading zero': edit(1, '042'),
    'size zero written 00': edit(1, '00'),
    'negative size': edit(1, '-1'),
    'size with a plus': edit(1, '+42'),
    'size in exponent form': edit(1, '4.2e1'),
    'size with a space': edit(1, ' 42'),
    'size beyond 2^53': edit(1, '9007199254740993'),
    'root not base64': edit(2, '!!!'),
    'root of 31 bytes': edit(2, toBase64(cp.rootHash.slice(1))),
    'root in base64url': edit(2, root.replaceAll('+', '-')),
    'root without padding': edit(2, root.slice(0, -1)),
    'height with leading zeros': edit(3, 'height 017'),
    'height missing its keyword': edit(3, '17'),
    'height with two spaces': edit(3, 'height  17'),
    'state of 33 bytes': edit(4, `state ${toBase64(new Uint8Array(33))}`),
    'time with an offset': edit(5, 'time 2026-01-01T12:00:00+00:00'),
    'time in lowercase': edit(5, 'time 2026-01-01t12:00:00z'),
    'time on an impossible day': edit(5, 'time 2026-02-29T12:00:00Z'),
    'time with hour 24': edit(5, 'time 2026-01-01T24:00:00Z'),
    'extension lines out of order': body([...good.slice(0, 3), good[4]!, good[3]!, good[5]!]),
    'an extra line': body([...good, 'extra 1']),
    'a missing line': body(good.slice(0, 5)),
    'a blank line': body([...good.slice(0, 3), '', ...good.slice(3)]),
    'CRLF line ends': body(good).replaceAll('\n', '\r\n'),
  };
  for (const [what, text] of Object.entries(cases)) assert.throws(() => parseCheckpoint(text), code('checkpoint.malformed'), what);
});

test('C2SP tlog-checkpoint vector: a plain three-line checkpoint parses as a note but is not a govchain checkpoint', () => {
  // From github.com/C2SP/C2SP tlog-checkpoint.md (commit 2793893976c835db049c194d8f2c4f946dcb70ba).
  const example =
    'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
    '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n';
  const { text, signatures } = parseSignedNote(example);
  assert.equal(text, 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  assert.equal(signatures[0]!.name, 'example.com/behind-the-sofa');
  assert.equal(signatures[0]!.signature.length, 64);
  assert.throws(() => parseCheckpoint(text), code('checkpoint.malformed'));
});

// ---- quorum verification -----------------------------------------------------------------

test('3 of 4 validators certify a checkpoint', () => {
  const r = verifyCheckpointNote(noteOf([sigs[0]!, sigs[2]!, sigs[3]!]), vkeys, QUORUM);
  assert.deepEqual(r.signers, ['validator-1', 'validator-3', 'validator-4']);
  assert.deepEqual(r.checkpoint, cp);
});

test('2 of 4 validators do not certify a checkpoint', () => {
  assert.throws(() => verifyCheckpointNote(noteOf([sigs[0]!, sigs[1]!]), vkeys, QUORUM), details('checkpoint.no_quorum', { have: 2, need: 3 }));
});

test('duplicate signature lines by one validator count once', () => {
  const note = noteOf([sigs[0]!, sigs[1]!, sigs[1]!, sigs[0]!]);
  assert.equal(parseSignedNote(note).signatures.length, 4);
  assert.throws(() => verifyCheckpointNote(note, vkeys, QUORUM), details('checkpoint.no_quorum', { have: 2, need: 3 }));
  assert.deepEqual(verifyCheckpointNote(note, vkeys, 2).signers, ['validator-1', 'validator-2']);
});

test('a signature by a key that is not a current validator is ignored', () => {
  const outsider = signCheckpoint(cp, 'validator-5', outsiderSeed);
  // An outsider reusing a validator's name gets a different key hash: still unknown.
  const impostor = signCheckpoint(cp, 'validator-4', outsiderSeed);
  const ok = noteOf([outsider, sigs[0]!, impostor, sigs[1]!, sigs[2]!]);
  assert.deepEqual(verifyCheckpointNote(ok, vkeys, QUORUM).signers, ['validator-1', 'validator-2', 'validator-3']);
  const short = noteOf([outsider, impostor, sigs[0]!, sigs[1]!]);
  assert.throws(() => verifyCheckpointNote(short, vkeys, QUORUM), details('checkpoint.no_quorum', { have: 2, need: 3 }));
  // A former validator (dropped from the current set) no longer counts either.
  assert.throws(() => verifyCheckpointNote(NOTE, vkeys.slice(0, 2), QUORUM), details('checkpoint.no_quorum', { have: 2 }));
});

test('a corrupted signature of a current validator rejects the note', () => {
  const bad = { ...sigs[3]!, signature: sigs[3]!.signature.slice() };
  bad.signature[0] ^= 0x01;
  assert.throws(() => verifyCheckpointNote(noteOf([sigs[0]!, sigs[1]!, sigs[2]!, bad]), vkeys, QUORUM), details('checkpoint.bad_signature', { name: 'validator-4' }));
  const truncated = { ...sigs[3]!, signature: sigs[3]!.signature.slice(0, 63) };
  assert.throws(() => verifyCheckpointNote(noteOf([sigs[0]!, sigs[1]!, sigs[2]!, truncated]), vkeys, QUORUM), code('checkpoint.bad_signature'));
});

test('a body edited by one byte is rejected', () => {
  const edited = NOTE.replace('\n42\n', '\n43\n');
  assert.throws(() => verifyCheckpointNote(edited, vkeys, QUORUM), code('checkpoint.bad_signature'));
  const renamed = NOTE.replace('height 17', 'height 18');
  assert.throws(() => verifyCheckpointNote(renamed, vkeys, 1), code('checkpoint.bad_signature'));
});

test('verifier keys may be given parsed; bad ones and bad notes are input errors', () => {
  assert.deepEqual(verifyCheckpointNote(NOTE, vkeys.map(parseVerifierKey), QUORUM).signers, names);
  assert.deepEqual(verifyCheckpointNote(utf8(NOTE), vkeys, QUORUM).signers, names);
  assert.throws(() => verifyCheckpointNote(NOTE, ['validator-1+00000000+' + vkeys[0]!.split('+').slice(2).join('+')], 1), code('note.malformed'));
  assert.throws(() => verifyCheckpointNote(NOTE.replace(BODY + '\n', BODY), vkeys, QUORUM), code('note.malformed'));
  assert.throws(() => verifyCheckpointNote(NOTE, vkeys, 0), RangeError);
  assert.throws(() => verifyCheckpointNote(NOTE, 'x' as unknown as string[], 1), TypeError);
});

test('a quorum-signed body that is not a checkpoint is checkpoint.malformed', () => {
  const body = 'govchain-dev\n042\n' + BODY.split('\n').slice(2).join('\n');
  const note = formatSignedNote(body, seeds.slice(0, 3).map((s, i) => signNote(body, names[i]!, s)));
  assert.throws(() => verifyCheckpointNote(note, vkeys, QUORUM), code('checkpoint.malformed'));
  // ...but without a quorum the text is never looked at.
  assert.throws(() => verifyCheckpointNote(note, vkeys, 4), code('checkpoint.no_quorum'));
});

test('the example note bytes: signatures are 4-byte key hash then 64-byte Ed25519 signature', () => {
  for (const [i, line] of NOTE.slice(BODY.length + 1, -1).split('\n').entries()) {
    const raw = fromBase64(line.split(' ')[2]!);
    assert.equal(raw.length, 68);
    assert.deepEqual(raw.subarray(0, 4), parseVerifierKey(VKEYS[i]!).keyHash);
  }
});
