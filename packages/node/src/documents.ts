/**
 * The private document store: documents attached to applications, kept off-ledger in
 * `<data>/documents/<digest>.json`, each encrypted with its own random AES-256-GCM key
 * (NIST SP 800-38D; 96-bit IV, the digest as additional data). The record key is stored
 * wrapped (AES-256-GCM) under the node's document master key `<data>/keys/documents.key`
 * (mode 0600). The ledger holds only the document's SHA-256 digest.
 *
 * Who may read is decided by the API from the sign-in token's DID and on-chain roles;
 * the store itself only encrypts, decrypts and erases. Erasure destroys the record key
 * and the ciphertext, leaving a tombstone naming the erasure transaction: without the
 * key the content is gone for good, also from any later copy of this folder. (Backups
 * taken before the erasure still hold the wrapped key; docs/services.md discusses it.)
 */
import { createCipheriv, createDecipheriv, randomBytes as nodeRandomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { GovchainError, sha256, toHex } from '@govchain/core';

/** Metadata of a stored document (never the content). */
export interface DocumentMeta {
  digest: string;
  owner: string;
  mediaType: string;
  size: number;
  created: string;
  /** The application it was delivered for, and by whom, when an agency delivered it (e.g. a credential). */
  application?: string;
  deliveredBy?: string;
  /** Set once erased: when, and the erasure transaction. */
  erased?: string;
  erasureTx?: string;
}

interface Sealed {
  iv: string;
  ct: string;
  tag: string;
}

interface DocumentFile extends DocumentMeta {
  v: 1;
  content?: Sealed;
  key?: Sealed;
}

const DIGEST = /^[0-9a-f]{64}$/;

function seal(key: Buffer, plaintext: Uint8Array, aad: string): Sealed {
  const iv = nodeRandomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  return { iv: iv.toString('base64'), ct: ct.toString('base64'), tag: c.getAuthTag().toString('base64') };
}

function open(key: Buffer, s: Sealed, aad: string): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(Buffer.from(s.tag, 'base64'));
  return Buffer.concat([d.update(Buffer.from(s.ct, 'base64')), d.final()]);
}

/** Write a file durably: temp file, fsync, rename. */
function writeDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The encrypted document store of a data folder. */
export class DocumentStore {
  private constructor(
    private readonly dir: string,
    private readonly master: Buffer,
  ) {}

  /** Open (creating on first use) the store of the data folder `dataDir`. */
  static open(dataDir: string): DocumentStore {
    const dir = join(dataDir, 'documents');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keyPath = join(dataDir, 'keys', 'documents.key');
    if (!existsSync(keyPath)) {
      mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
      writeFileSync(keyPath, nodeRandomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      chmodSync(keyPath, 0o600);
    }
    const master = Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64');
    if (master.length !== 32) throw new GovchainError('key.invalid', `${keyPath} is not a 32-byte key`);
    return new DocumentStore(dir, master);
  }

  private path(digest: string): string {
    if (!DIGEST.test(digest)) throw new GovchainError('request.invalid', 'digest must be 64 lowercase hex characters', { field: '/params/digest' });
    return join(this.dir, `${digest}.json`);
  }

  private read(digest: string): DocumentFile | undefined {
    const p = this.path(digest);
    if (!existsSync(p)) return undefined;
    return JSON.parse(readFileSync(p, 'utf8')) as DocumentFile;
  }

  /** Store a document for `owner`; returns its metadata. The same owner storing the same bytes again is a no-op. */
  put(content: Uint8Array, owner: string, mediaType: string, now = new Date().toISOString(), delivery?: { application: string; deliveredBy: string }): DocumentMeta {
    const digest = toHex(sha256(content));
    const existing = this.read(digest);
    if (existing !== undefined) {
      if (existing.erased !== undefined) throw new GovchainError('documents.erased', `document ${digest} was erased and cannot be stored again`);
      if (existing.owner !== owner) throw new GovchainError('documents.exists', `document ${digest} is already stored by another owner`);
      return this.meta(digest)!;
    }
    const recordKey = nodeRandomBytes(32);
    const file: DocumentFile = { v: 1, digest, owner, mediaType, size: content.length, created: now, ...delivery, content: seal(recordKey, content, digest), key: seal(this.master, recordKey, `key|${digest}`) };
    recordKey.fill(0);
    writeDurably(this.path(digest), JSON.stringify(file));
    return this.meta(digest)!;
  }

  /** A document's metadata, or undefined. */
  meta(digest: string): DocumentMeta | undefined {
    const f = this.read(digest);
    if (f === undefined) return undefined;
    const { v: _v, content: _c, key: _k, ...meta } = f;
    return meta;
  }

  /** The plaintext of a stored, not erased document (authorise before calling). */
  content(digest: string): Buffer {
    const f = this.read(digest);
    if (f === undefined) throw new GovchainError('documents.not_found', `no document ${digest} in this node's store`);
    if (f.erased !== undefined || f.key === undefined || f.content === undefined) throw new GovchainError('documents.erased', `document ${digest} was erased (transaction ${f.erasureTx ?? '?'})`);
    const recordKey = open(this.master, f.key, `key|${digest}`);
    try {
      return open(recordKey, f.content, digest);
    } finally {
      recordKey.fill(0);
    }
  }

  /** Destroy a document's key and ciphertext, keeping a tombstone. Returns false when nothing was left to erase. */
  erase(digest: string, erasureTx: string, now = new Date().toISOString()): boolean {
    const f = this.read(digest);
    if (f === undefined || f.erased !== undefined) return false;
    const { content: _c, key: _k, ...rest } = f;
    writeDurably(this.path(digest), JSON.stringify({ ...rest, erased: now, erasureTx }));
    return true;
  }

  /** Metadata of every document `owner` holds (erased ones included, marked). */
  listByOwner(owner: string): DocumentMeta[] {
    return readdirSync(this.dir)
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .map((f) => this.meta(f.slice(0, 64))!)
      .filter((m) => m.owner === owner)
      .sort((a, b) => a.created.localeCompare(b.created));
  }

  /** Digests of the documents still readable (not erased). */
  liveDigests(): string[] {
    return readdirSync(this.dir)
      .filter((f) => /^[0-9a-f]{64}\.json$/.test(f))
      .map((f) => f.slice(0, 64))
      .filter((d) => this.read(d)?.erased === undefined);
  }
}
