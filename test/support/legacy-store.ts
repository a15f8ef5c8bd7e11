/** Stores as older govchain releases left them on disk (docs/upgrades.md), for upgrade tests. */
import { open } from 'lmdb';

/**
 * Rewrite the (closed) LMDB environment at `dbPath` in storage format 0: state keys in
 * LMDB's ordered-binary encoding and no `meta.format` marker, as releases before the
 * format marker wrote them. The next read-write open migrates it.
 */
export async function rewriteAsFormat0(dbPath: string): Promise<void> {
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
