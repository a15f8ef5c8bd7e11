/** Stores as older govchain releases left them on disk (docs/upgrades.md), for upgrade tests. */
import { open } from 'lmdb';

/**
 * Rewrite a store's state-map nodes as format 1 wrote them: every node in the `smt` table
 * under its hash, internal nodes as 65 bytes without child versions, no `stateVersion` in
 * the head or the blocks.
 */
export async function downgradeToFormat1(dbPath: string): Promise<number> {
  const root = open({ path: dbPath, compression: false, maxDbs: 16 } as never);
  const smtv = root.openDB({ name: 'smtv', encoding: 'binary', keyEncoding: 'binary' });
  const smt = root.openDB({ name: 'smt', encoding: 'binary', keyEncoding: 'binary' });
  const blocks = root.openDB({ name: 'blocks', encoding: 'string' });
  const meta = root.openDB({ name: 'meta', encoding: 'json' });
  const nodes = Array.from(smtv.getRange({}), ({ key, value }) => [(key as Buffer).subarray(8), (value as Buffer).subarray(0, 65)] as const);
  const rows = Array.from(blocks.getRange({}), ({ key, value }) => [key as number, JSON.parse(value as string) as Record<string, unknown>] as const);
  root.transactionSync(() => {
    for (const [hash, enc] of nodes) smt.putSync(Buffer.from(hash), Buffer.from(enc));
    smtv.clearSync();
    for (const [h, b] of rows) {
      delete b.stateVersion;
      blocks.putSync(h, JSON.stringify(b));
    }
    const head = meta.get('head') as Record<string, unknown>;
    delete head.stateVersion;
    meta.putSync('head', head);
    meta.putSync('format', 1);
  });
  await root.close();
  return nodes.length;
}

/**
 * Rewrite the (closed) LMDB environment at `dbPath` in storage format 0: state-map nodes as
 * format 1 keeps them, state keys in LMDB's ordered-binary encoding and no `meta.format`
 * marker, as releases before the format marker wrote them. The next read-write open migrates it.
 */
export async function rewriteAsFormat0(dbPath: string): Promise<void> {
  await downgradeToFormat1(dbPath);
  const root = open({ path: dbPath, compression: false, maxDbs: 16 } as never);
  const raw = root.openDB({ name: 'state', encoding: 'string', keyEncoding: 'binary' });
  const legacy = root.openDB({ name: 'state', encoding: 'string' });
  const rows = Array.from(raw.getRange({}), ({ key, value }) => [(key as Buffer).toString('utf8'), value as string] as const);
  root.transactionSync(() => {
    raw.clearSync();
    for (const [k, v] of rows) legacy.putSync(k, v);
    root.openDB({ name: 'meta', encoding: 'json' }).removeSync('format');
  });
  await root.close();
}
