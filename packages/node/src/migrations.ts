/**
 * Versioned storage format with migrations (docs/upgrades.md). The store records its
 * format in `meta.format`; opening an older store runs each migration in order, in one
 * LMDB transaction per step, before anything else reads it; a newer store is refused.
 */
import type { RootDatabase } from 'lmdb';
import { readKey } from 'ordered-binary';
import { GovchainError } from '@govchain/core';

/** The format this software writes. */
export const STORE_FORMAT = 2;

/** One step: from format `from` to `from + 1`. */
export interface Migration {
  from: number;
  describe: string;
  /** Open what the step needs (outside the transaction) and return the step itself, which runs inside one synchronous write transaction. */
  prepare(root: RootDatabase): () => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    describe: "state keys from LMDB's ordered-binary encoding to raw UTF-8 (ordered-binary read the module/key separator as an array separator)",
    prepare(root) {
      // One handle with the store's own key encoding; the old keys are decoded with
      // ordered-binary by hand. (A second handle on the table with the old encoding would
      // make lmdb-js decode later binary-keyed reads in this process the old way.)
      const raw = root.openDB({ name: 'state', encoding: 'string', keyEncoding: 'binary' });
      return () => {
        const entries: Array<[string, string]> = [];
        for (const { key, value } of raw.getRange({})) {
          const b = key as Buffer;
          const decoded = readKey(b, 0, b.length) as unknown;
          const k = Array.isArray(decoded) ? decoded.map(String).join('\u0000') : String(decoded);
          entries.push([k, value as string]);
        }
        raw.clearSync();
        for (const [k, v] of entries) raw.putSync(Buffer.from(k, 'utf8'), v);
      };
    },
  },
  {
    from: 1,
    describe: 'state-map nodes are written under (block height, hash) in the new smtv table; nodes of format 1 stay where they are and are read by hash',
    prepare() {
      // Nothing to move: every format-1 node is reachable by hash, and new parents record
      // "no version" for the children they take over from format 1.
      return () => {};
    },
  },
];

/** Bring `root` to {@link STORE_FORMAT}; returns the steps run. Throws `store.too_new`. */
export function migrateStore(root: RootDatabase, hasChain: boolean, readOnly = false): string[] {
  const meta = root.openDB({ name: 'meta', encoding: 'json' });
  let format = meta.get('format') as number | undefined;
  if (format === undefined) {
    if (!hasChain) {
      if (!readOnly) meta.putSync('format', STORE_FORMAT);
      return [];
    }
    format = 0;
  }
  if (format > STORE_FORMAT) {
    throw new GovchainError('store.too_new', `the chain store was written by a newer govchain (format ${format}; this version reads up to ${STORE_FORMAT}); upgrade govchain`);
  }
  if (readOnly && format < STORE_FORMAT) throw new GovchainError('store.needs_migration', `the chain store is format ${format}; open it once read-write (start the node) to migrate it to ${STORE_FORMAT}`);
  const done: string[] = [];
  for (const m of MIGRATIONS) {
    if (m.from < format) continue;
    if (m.from !== format) break;
    const step = m.prepare(root);
    root.transactionSync(() => {
      step();
      meta.putSync('format', m.from + 1);
    });
    format = m.from + 1;
    done.push(`format ${m.from} -> ${m.from + 1}: ${m.describe}`);
  }
  return done;
}
