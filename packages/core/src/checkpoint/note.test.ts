import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatBytes, fromBase64, toBase64, toHex, utf8 } from '../bytes.js';
import { keyPairFromSeed, sha256 } from '../crypto.js';
import { isGovchainError } from '../errors.js';
import {
  MAX_NOTE_SIGNATURES,
  formatSignedNote,
  formatVerifierKey,
  isValidNoteKeyName,
  noteKeyHash,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  verifyNote,
  type NoteSignature,
} from './index.js';

const code = (c: string) => (e: unknown) => isGovchainError(e, c);

// ---- known-answer vectors ----------------------------------------------------------------
// From golang.org/x/mod, sumdb/note/note_test.go (TestNewVerifier, TestSign, TestOpen),
// github.com/golang/mod commit 02c991387e35f9e4c0a9b7ce137717055f8d716d.
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG = '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG = '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
// The Go signer key is "PRIVATE+KEY+<name>+<hash>+base64(0x01 || 32-byte seed)".
const PETER_SEED = fromBase64(PETER_SKEY.split('+').slice(4).join('+')).slice(1);

// From the C2SP signed-note spec (github.com/C2SP/C2SP signed-note.md, commit
// 055287621bf3cd13ff4394418a3e8efc2d5e8ed7): a text with an inner blank line.
const QUASIMODO =
  'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n' +
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);

// ---- keys --------------------------------------------------------------------------------

test('Go vector: verifier keys parse, with the key hash of name, 0x0A, 0x01 and the key', () => {
  assert.equal(peter.name, 'PeterNeumann');
  assert.equal(toHex(peter.keyHash), 'c74f20a3');
  assert.equal(toBase64(peter.publicKey), 'GlzZBxQ8OExB6DDFvOEqqIF+xWSaqr8sMTiLNbLXRNY=');
  assert.equal(enoch.name, 'EnochRoot');
  assert.equal(toHex(enoch.keyHash), 'af0cfe78');
  const manual = sha256(concatBytes(utf8('PeterNeumann'), Uint8Array.of(0x0a, 0x01), peter.publicKey)).slice(0, 4);
  assert.equal(toHex(noteKeyHash('PeterNeumann', peter.publicKey)), toHex(manual));
  assert.equal(formatVerifierKey(peter.name, peter.publicKey), PETER_VKEY);
  assert.equal(formatVerifierKey(enoch.name, enoch.publicKey), ENOCH_VKEY);
});

test('Go vector: the signer seed derives the PeterNeumann public key', () => {
  assert.equal(toHex(keyPairFromSeed(PETER_SEED).publicKey), toHex(peter.publicKey));
});

test('Go TestNewVerifier: every proper substring and every one-byte change of a vkey is rejected', () => {
  const bad = (k: string) => assert.throws(() => parseVerifierKey(k), code('note.malformed'), k);
  for (let i = 0; i <= PETER_VKEY.length; i++) {
    for (let j = i + 1; j <= PETER_VKEY.length; j++) if (i !== 0 || j !== PETER_VKEY.length) bad(PETER_VKEY.slice(i, j));
  }
  for (let i = 0; i < PETER_VKEY.length; i++) {
    bad(PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1));
  }
  bad('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='); // wrong key length, adjusted hash
  bad('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'); // unknown algorithm, adjusted hash
  bad(PETER_VKEY.replace('c74f20a3', 'C74F20A3')); // hex is lowercase (CONTRACT.md s.2)
});

test('key names: non-empty, no Unicode spaces, no plus, no control characters', () => {
  for (const ok of ['PeterNeumann', 'example.com/log42', 'validator-1', 'é']) assert.ok(isValidNoteKeyName(ok), ok);
  for (const bad of ['', 'a b', 'a+b', 'a\tb', 'a\u00a0b', 'a\u3000b', 'a\u2028b', 'a\u0001b', '\ud800']) {
    assert.ok(!isValidNoteKeyName(bad), JSON.stringify(bad));
    assert.throws(() => noteKeyHash(bad, peter.publicKey), RangeError);
  }
  assert.throws(() => noteKeyHash('x', peter.publicKey.slice(1)), RangeError);
  assert.throws(() => noteKeyHash(42 as unknown as string, peter.publicKey), TypeError);
});

// ---- signing and format ------------------------------------------------------------------

test('Go TestSign: signing the Peter Neumann text reproduces the Go note byte for byte', () => {
  const sig = signNote(TEXT, 'PeterNeumann', PETER_SEED);
  assert.equal(toHex(sig.keyHash), 'c74f20a3');
  assert.equal(formatSignedNote(TEXT, [sig]), TEXT + '\n' + PETER_SIG);
});

test('a signature line is U+2014, space, name, space, base64(key hash || signature), newline', () => {
  const sig = signNote(TEXT, 'PeterNeumann', PETER_SEED);
  const note = formatSignedNote(TEXT, [sig]);
  const line = note.slice(TEXT.length + 1);
  assert.deepEqual([...utf8(line).subarray(0, 4)], [0xe2, 0x80, 0x94, 0x20]);
  assert.equal(line, `\u2014 PeterNeumann ${toBase64(concatBytes(sig.keyHash, sig.signature))}\n`);
  assert.equal(sig.signature.length, 64);
  // The text, then exactly one blank line, then the signatures.
  assert.ok(note.startsWith(TEXT + '\n\u2014 '));
});

test('notes round-trip through format and parse, signatures in order', () => {
  const a = signNote(TEXT, 'PeterNeumann', PETER_SEED);
  const b: NoteSignature = { name: 'EnochRoot', keyHash: enoch.keyHash, signature: fromBase64(ENOCH_SIG.slice(12, -1)).slice(4) };
  const note = formatSignedNote(TEXT, [a, b]);
  assert.equal(note, TEXT + '\n' + PETER_SIG + ENOCH_SIG);
  const parsed = parseSignedNote(note);
  assert.equal(parsed.text, TEXT);
  assert.deepEqual(parsed.signatures, [a, b]);
  assert.deepEqual(parseSignedNote(utf8(note)), parsed); // bytes in, same result
});

test('signing and formatting refuse programming errors', () => {
  assert.throws(() => signNote('no newline', 'a', PETER_SEED), RangeError);
  assert.throws(() => signNote('a\r\n', 'a', PETER_SEED), RangeError);
  assert.throws(() => signNote(TEXT, 'bad name', PETER_SEED), RangeError);
  assert.throws(() => signNote(TEXT, 'a', PETER_SEED.slice(1)), RangeError);
  assert.throws(() => formatSignedNote(TEXT, []), RangeError);
  const s = signNote(TEXT, 'PeterNeumann', PETER_SEED);
  assert.throws(() => formatSignedNote(TEXT, [{ ...s, keyHash: s.keyHash.slice(1) }]), RangeError);
  assert.throws(() => formatSignedNote(TEXT, [{ ...s, name: 'a+b' }]), RangeError);
  assert.throws(() => formatSignedNote(TEXT, new Array(MAX_NOTE_SIGNATURES + 1).fill(s)), RangeError);
});

// ---- verification (Go TestOpen) ----------------------------------------------------------

test('Go TestOpen: a signature by a key not in the list is ignored', () => {
  const r = verifyNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, [peter]);
  assert.equal(r.text, TEXT);
  assert.deepEqual(r.verifiedBy, ['PeterNeumann']);
});

test('Go TestOpen: both signatures verify when both keys are known', () => {
  assert.deepEqual(verifyNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, [peter, enoch]).verifiedBy, ['PeterNeumann', 'EnochRoot']);
});

test('Go TestOpen: a note with no signature from a known key is rejected', () => {
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG + ENOCH_SIG, []), code('checkpoint.unknown_key'));
});

test('Go TestOpen: an invalid signature by a known key rejects the note', () => {
  const corrupted = PETER_SIG.slice(0, 60) + 'ABCD' + PETER_SIG.slice(60);
  assert.throws(() => verifyNote(TEXT + '\n' + corrupted, [peter]), code('checkpoint.bad_signature'));
  // A flipped signature bit, same length.
  const raw = fromBase64(PETER_SIG.slice(15, -1));
  raw[10] ^= 1;
  assert.throws(() => verifyNote(`${TEXT}\n— PeterNeumann ${toBase64(raw)}\n`, [peter]), code('checkpoint.bad_signature'));
});

test('Go TestOpen: repeated signatures count once; corrupted unknown ones are ignored', () => {
  const enochABCD = ENOCH_SIG.slice(0, 60) + 'ABCD' + ENOCH_SIG.slice(60);
  const r = verifyNote(TEXT + '\n' + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + enochABCD, [peter]);
  assert.deepEqual(r.verifiedBy, ['PeterNeumann']);
  // Identical verifiers listed twice are not ambiguous.
  assert.deepEqual(verifyNote(TEXT + '\n' + ENOCH_SIG, [enoch, peter, enoch]).verifiedBy, ['EnochRoot']);
});

test('Go TestOpen: a known name with another key hash, or a known hash with another name, is unknown', () => {
  const misnamed = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
  const wrongHash = PETER_SIG.replace('x08g', 'xxxx');
  assert.throws(() => verifyNote(TEXT + '\n' + misnamed, [peter]), code('checkpoint.unknown_key'));
  assert.throws(() => verifyNote(TEXT + '\n' + wrongHash, [peter]), code('checkpoint.unknown_key'));
  assert.deepEqual(verifyNote(TEXT + '\n' + misnamed + wrongHash + PETER_SIG, [peter]).verifiedBy, ['PeterNeumann']);
});

test('Go TestOpen: more than 100 signatures is a malformed note', () => {
  assert.equal(parseSignedNote(TEXT + '\n' + PETER_SIG.repeat(MAX_NOTE_SIGNATURES)).signatures.length, MAX_NOTE_SIGNATURES);
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG.repeat(101), [peter]), code('note.malformed'));
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG.repeat(101), []), code('note.malformed'));
});

test('Go TestOpen: malformed encodings are rejected', () => {
  const badMsgs: Array<string | Uint8Array> = [
    TEXT, // no signatures
    TEXT + '\n', // blank line but no signatures
    TEXT + '\n' + PETER_SIG.slice(0, -1), // last line without newline
    '\x01' + TEXT + '\n' + PETER_SIG, // control character
    concatBytes(Uint8Array.of(0xff), utf8(TEXT + '\n' + PETER_SIG)), // invalid UTF-8
    TEXT + '\n' + '— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=',
    TEXT + '\n' + PETER_SIG + 'Unexpected line.\n',
  ];
  for (const msg of badMsgs) assert.throws(() => verifyNote(msg, [peter]), code('note.malformed'), String(msg));
});

// ---- parse rejections --------------------------------------------------------------------

test('parse rejects: missing blank line, bad base64, bad names, short signatures, CR, lone surrogates', () => {
  const b64 = PETER_SIG.slice(15, -1);
  const cases: Record<string, string> = {
    'missing blank line': TEXT + PETER_SIG,
    'not base64': `${TEXT}\n— PeterNeumann !!!!\n`,
    'base64url alphabet': `${TEXT}\n— PeterNeumann ${b64.replaceAll('/', '_')}\n`,
    'missing padding': `${TEXT}\n— PeterNeumann ${b64.slice(0, -1)}\n`,
    'non-canonical trailing bits': `${TEXT}\n— PeterNeumann ${b64.slice(0, -2)}N=\n`,
    'empty signature': `${TEXT}\n— PeterNeumann \n`,
    'no signature field': `${TEXT}\n— PeterNeumann\n`,
    'four bytes only (no signature)': `${TEXT}\n— PeterNeumann x08gow==\n`,
    'name with a space': `${TEXT}\n— Peter Neumann ${b64}\n`,
    'name with a plus': `${TEXT}\n— Peter+Neumann ${b64}\n`,
    'empty name': `${TEXT}\n—  ${b64}\n`,
    'hyphen instead of em dash': `${TEXT}\n- PeterNeumann ${b64}\n`,
    'em dash without space': `${TEXT}\n—PeterNeumann ${b64}\n`,
    'two spaces after the name': `${TEXT}\n— PeterNeumann  ${b64}\n`,
    'CRLF line ends': (TEXT + '\n' + PETER_SIG).replaceAll('\n', '\r\n'),
    'lone surrogate': '\ud800' + TEXT + '\n' + PETER_SIG,
    'too large': 'a'.repeat(1 << 20) + '\n\n' + PETER_SIG,
  };
  for (const [what, note] of Object.entries(cases)) assert.throws(() => parseSignedNote(note), code('note.malformed'), what);
  assert.throws(() => parseSignedNote(42 as unknown as string), TypeError);
});

test('C2SP vector: the text ends at the last blank line and may contain blank lines', () => {
  const { text, signatures } = parseSignedNote(QUASIMODO);
  assert.equal(text, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n');
  assert.equal(signatures.length, 1);
  assert.equal(signatures[0]!.name, 'quasimodo.example/salvatore');
  assert.equal(toHex(signatures[0]!.keyHash), '367ba04b');
  assert.equal(signatures[0]!.signature.length, 64);
  assert.throws(() => verifyNote(QUASIMODO, [peter]), code('checkpoint.unknown_key'));
  // A blank line between signature lines makes the lines above it part of the text.
  const split = parseSignedNote(TEXT + '\n' + PETER_SIG + '\n' + ENOCH_SIG);
  assert.equal(split.text, TEXT + '\n' + PETER_SIG);
  assert.deepEqual(split.signatures.map((x) => x.name), ['EnochRoot']);
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG + '\n' + ENOCH_SIG, [peter, enoch]), code('checkpoint.bad_signature'));
});

test('a byte-order mark is part of the text, never silently dropped', () => {
  const note = TEXT + '\n' + PETER_SIG;
  const withBom = concatBytes(Uint8Array.of(0xef, 0xbb, 0xbf), utf8(note));
  assert.equal(parseSignedNote(withBom).text, '\ufeff' + TEXT);
  assert.throws(() => verifyNote(withBom, [peter]), code('checkpoint.bad_signature'));
});

test('a text edited by one byte no longer verifies', () => {
  const edited = TEXT.replace('problem,', 'problem;') + '\n' + PETER_SIG;
  assert.throws(() => verifyNote(edited, [peter]), code('checkpoint.bad_signature'));
});

test('verifiers are checked: key hash must match name and key', () => {
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG, [{ ...peter, keyHash: enoch.keyHash }]), RangeError);
  assert.throws(() => verifyNote(TEXT + '\n' + PETER_SIG, [{ ...peter, publicKey: peter.publicKey.slice(1) }]), RangeError);
});
