// The private document store: per-record AES-256-GCM, keys wrapped to the master key
// (mode 0600), no plaintext at rest, tampering detected, erasure final.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GovchainError, sha256, toHex } from '@govchain/core';
import { DocumentStore } from './documents.js';

test('documents are encrypted at rest, readable back, tamper-evident, and gone after erasure', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govchain-docs-'));
  try {
    const store = DocumentStore.open(dir);
    assert.equal(statSync(join(dir, 'keys', 'documents.key')).mode & 0o777, 0o600);
    const text = 'Birth certificate of Tran Thi Binh, 1992-11-02';
    const bytes = new TextEncoder().encode(text);
    const meta = store.put(bytes, 'did:gov:x:owner', 'text/plain');
    assert.equal(meta.digest, toHex(sha256(bytes)));
    assert.equal(store.content(meta.digest).toString('utf8'), text);
    const file = join(dir, 'documents', `${meta.digest}.json`);
    assert.equal(readFileSync(file).indexOf(text), -1, 'no plaintext on disk');
    assert.equal(store.put(bytes, 'did:gov:x:owner', 'text/plain').digest, meta.digest, 'idempotent for the same owner');
    assert.throws(() => store.put(bytes, 'did:gov:x:other', 'text/plain'), (e) => e instanceof GovchainError && e.code === 'documents.exists');
    // Two records of the same content under different stores get different keys (per-record keys).
    const otherDir = mkdtempSync(join(tmpdir(), 'govchain-docs-'));
    const other = DocumentStore.open(otherDir);
    other.put(bytes, 'did:gov:x:owner', 'text/plain');
    const wrapped = (d: string) => JSON.parse(readFileSync(join(d, 'documents', `${meta.digest}.json`), 'utf8')).content.ct as string;
    assert.notEqual(wrapped(otherDir), wrapped(dir), 'fresh key and IV per record');
    rmSync(otherDir, { recursive: true, force: true });
    // Tampering with the ciphertext is detected by GCM.
    const j = JSON.parse(readFileSync(file, 'utf8'));
    const saved = JSON.stringify(j);
    const ct = Buffer.from(j.content.ct, 'base64');
    ct[0] ^= 1;
    j.content.ct = ct.toString('base64');
    writeFileSync(file, JSON.stringify(j));
    assert.throws(() => store.content(meta.digest));
    writeFileSync(file, saved);
    assert.equal(store.content(meta.digest).toString('utf8'), text);
    // Erasure: the key and ciphertext are destroyed; a tombstone remains.
    assert.equal(store.erase(meta.digest, 'ab'.repeat(32)), true);
    assert.equal(store.erase(meta.digest, 'ab'.repeat(32)), false);
    assert.throws(() => store.content(meta.digest), (e) => e instanceof GovchainError && e.code === 'documents.erased');
    const tomb = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(tomb.key, undefined);
    assert.equal(tomb.content, undefined);
    assert.equal(tomb.erasureTx, 'ab'.repeat(32));
    assert.deepEqual(store.liveDigests(), []);
    assert.equal(store.listByOwner('did:gov:x:owner')[0]!.erased !== undefined, true);
    assert.throws(() => store.put(bytes, 'did:gov:x:owner', 'text/plain'), (e) => e instanceof GovchainError && e.code === 'documents.erased');
    assert.deepEqual(readdirSync(join(dir, 'documents')).filter((f) => f.endsWith('.tmp')), []);
    assert.throws(() => store.meta('../../etc/passwd'), (e) => e instanceof GovchainError && e.code === 'request.invalid');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
