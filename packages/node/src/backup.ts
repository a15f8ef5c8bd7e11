/**
 * Backups of a node's data folder, safe while the node runs. The chain store is copied
 * with LMDB's own copy (mdb_env_copy2 through lmdb-js `backup()`), which reads one
 * consistent snapshot in a read transaction: the copy holds whole blocks only, at the
 * head committed when the copy began, even while the node keeps writing. The small
 * files (genesis, node settings, keys, demo cast) are copied beside it, and a manifest
 * records the head and the SHA-256 of every file, so a restore can check the copy before
 * it trusts it and `audit` can re-verify the restored chain from genesis.
 *
 *   <dest>/manifest.json   what was copied (written last: a backup without it is incomplete)
 *   <dest>/genesis.json, node.json, keys/, demo/
 *   <dest>/db/data.mdb     the LMDB snapshot
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { GovchainError } from '@govchain/core';
import { verifyStore, type AuditReport } from './audit.js';
import { dataPaths } from './datadir.js';
import { genesisHash, readGenesis } from './genesis.js';
import { ChainStore } from './store.js';

/** What a backup holds (`manifest.json`). */
export interface BackupManifest {
  format: 'govchain-backup';
  version: 1;
  chainId: string;
  genesisHash: string;
  /** The head of the copied chain (0 for a chain with no block yet). */
  height: number;
  logSize: number;
  blockHash: string | null;
  stateRoot: string | null;
  /** When the copy was made (RFC 3339). */
  createdAt: string;
  /** The data folder the backup was made from (for rewriting demo key paths on restore). */
  source: string;
  /** Every copied file, relative to the backup folder, with its SHA-256 and size. */
  files: Array<{ path: string; sha256: string; bytes: number }>;
}

const MANIFEST = 'manifest.json';
/** Small files and folders copied beside the database (db/ is copied by LMDB). */
const SIDE_FILES = ['genesis.json', 'node.json', 'keys', 'demo'];

function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Every regular file under `dir`, as paths relative to it (sorted). */
function listFiles(dir: string, under = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, under)).sort()) {
    const rel = under === '' ? e : join(under, e);
    const st = statSync(join(dir, rel));
    if (st.isDirectory()) out.push(...listFiles(dir, rel));
    else if (st.isFile()) out.push(rel);
  }
  return out;
}

/** Copy a file keeping it private when it is (keys stay 0600). */
function copyPrivate(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
  copyFileSync(from, to);
  chmodSync(to, statSync(from).mode & 0o777);
}

function isEmptyOrMissing(dir: string): boolean {
  return !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);
}

/** Options of {@link backupDataDir}. */
export interface BackupOptions {
  /** The node's data folder (the node may be running). */
  dataDir: string;
  /** A new or empty folder for the backup. */
  dest: string;
  /** Compact the database while copying (slower, smaller; skips free pages). */
  compact?: boolean;
}

/**
 * Back up a data folder to `dest`, consistently, whether or not its node is running.
 * Throws `node.not_initialised` (no chain), `backup.exists` (dest not empty).
 */
export async function backupDataDir(opts: BackupOptions): Promise<BackupManifest> {
  const src = resolve(opts.dataDir);
  const dest = resolve(opts.dest);
  const p = dataPaths(src);
  if (!existsSync(p.genesis)) throw new GovchainError('node.not_initialised', `no chain in ${src}: nothing to back up`);
  if (!isEmptyOrMissing(dest)) throw new GovchainError('backup.exists', `${dest} is not empty; back up into a new folder`);
  if (dest === src || dest.startsWith(src + sep)) throw new GovchainError('backup.exists', 'the backup folder must be outside the data folder');
  mkdirSync(join(dest, 'db'), { recursive: true, mode: 0o700 });
  chmodSync(dest, 0o700);

  // The database first: its snapshot is what the manifest describes.
  const store = ChainStore.open(p.db, { readOnly: true });
  try {
    await store.root.backup(join(dest, 'db'), opts.compact === true);
  } catch (e) {
    throw new GovchainError('backup.failed', `copying the chain store failed: ${(e as Error).message}`, { cause: e });
  } finally {
    await store.close();
  }
  for (const name of SIDE_FILES) {
    const from = join(src, name);
    if (!existsSync(from)) continue;
    if (statSync(from).isDirectory()) for (const rel of listFiles(from)) copyPrivate(join(from, rel), join(dest, name, rel));
    else copyPrivate(from, join(dest, name));
  }

  const genesis = readGenesis(join(dest, 'genesis.json'));
  const copy = ChainStore.open(join(dest, 'db'), { readOnly: true });
  const head = copy.head();
  await copy.close();
  const manifest: BackupManifest = {
    format: 'govchain-backup',
    version: 1,
    chainId: genesis.chainId,
    genesisHash: genesisHash(genesis),
    height: head?.height ?? 0,
    logSize: head?.logSize ?? 0,
    blockHash: head?.blockHash ?? null,
    stateRoot: head?.stateRoot ?? null,
    createdAt: new Date().toISOString(),
    source: src,
    files: listFiles(dest).map((rel) => ({ path: rel.split(sep).join('/'), sha256: sha256File(join(dest, rel)), bytes: statSync(join(dest, rel)).size })),
  };
  writeFileSync(join(dest, MANIFEST), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/** Read and check a backup's manifest and files; throws `backup.corrupt` naming the problem. */
export function checkBackup(src: string): BackupManifest {
  const dir = resolve(src);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new GovchainError('backup.corrupt', `${dir} holds no ${MANIFEST}: not a govchain backup, or an incomplete one`);
  let m: BackupManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as BackupManifest;
  } catch (e) {
    throw new GovchainError('backup.corrupt', `${path} is not JSON: ${(e as Error).message}`);
  }
  if (m?.format !== 'govchain-backup' || m.version !== 1 || !Array.isArray(m.files)) throw new GovchainError('backup.corrupt', `${path} is not a govchain backup manifest (version 1)`);
  for (const f of m.files) {
    const file = resolve(dir, f.path);
    if (relative(dir, file).startsWith('..')) throw new GovchainError('backup.corrupt', `manifest names a file outside the backup: ${f.path}`);
    if (!existsSync(file)) throw new GovchainError('backup.corrupt', `${f.path} is missing from the backup`);
    if (sha256File(file) !== f.sha256) throw new GovchainError('backup.corrupt', `${f.path} does not match its SHA-256 in the manifest (damaged copy)`);
  }
  if (!m.files.some((f) => f.path === 'genesis.json') || !m.files.some((f) => f.path === 'db/data.mdb')) throw new GovchainError('backup.corrupt', 'the backup lacks genesis.json or db/data.mdb');
  return m;
}

/** Options of {@link restoreDataDir}. */
export interface RestoreOptions {
  /** The backup folder. */
  src: string;
  /** A new or empty data folder to restore into. */
  dataDir: string;
  /** Re-verify the restored chain from genesis (default true). */
  audit?: boolean;
}

/**
 * Restore a backup into a new data folder: check every file against the manifest, copy,
 * point the demo cast at the new folder, and (by default) audit the whole chain.
 * Throws `backup.corrupt`, `restore.exists` (the folder is not empty) or, when the
 * restored chain fails its audit, `chain.corrupt` naming the height.
 */
export async function restoreDataDir(opts: RestoreOptions): Promise<{ manifest: BackupManifest; audit?: AuditReport }> {
  const src = resolve(opts.src);
  const dir = resolve(opts.dataDir);
  const manifest = checkBackup(src);
  if (!isEmptyOrMissing(dir)) throw new GovchainError('restore.exists', `${dir} is not empty; restore into a new folder (keep the damaged one for inspection)`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const f of manifest.files) copyPrivate(join(src, f.path), join(dir, f.path));
  // Demo identities name their key files by absolute path: point them at the new folder.
  const ids = dataPaths(dir).identities;
  if (existsSync(ids)) {
    const list = JSON.parse(readFileSync(ids, 'utf8')) as Array<{ keyFile: string }>;
    for (const i of list) if (i.keyFile.startsWith(manifest.source + sep)) i.keyFile = join(dir, relative(manifest.source, i.keyFile));
    writeFileSync(ids, JSON.stringify(list, null, 2) + '\n');
  }
  if (opts.audit === false) return { manifest };
  const genesis = readGenesis(dataPaths(dir).genesis);
  const store = ChainStore.open(dataPaths(dir).db);
  try {
    const audit = verifyStore(store, genesis, { mode: 'full' });
    if (!audit.ok) throw new GovchainError('chain.corrupt', `the restored chain fails its audit at height ${audit.badHeight}: ${audit.reason}`, { details: { badHeight: audit.badHeight } });
    if (audit.height !== manifest.height) throw new GovchainError('backup.corrupt', `the restored chain is at height ${audit.height}, the manifest says ${manifest.height}`);
    return { manifest, audit };
  } finally {
    await store.close();
  }
}
