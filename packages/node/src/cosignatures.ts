/**
 * Witness cosignatures kept next to the certified checkpoints: the store's `meta` table
 * holds `cosig/<size>` -> the witnesses' signature lines (tlog-cosignature), apart from
 * the validators' note so that collecting validator signatures and collecting
 * cosignatures never overwrite each other. Readers get the note with both.
 */
import { parseSignedNote } from '@govchain/core';
import type { ChainStore } from './store.js';

const key = (size: number): string => `cosig/${size}`;

/** The cosignature lines stored for the checkpoint of `size` (each ending in "\n"). */
export function storedCosignatures(store: ChainStore, size: number): string[] {
  return (store.meta.get(key(size)) as string[] | undefined) ?? [];
}

/** Store witness `name`'s cosignature line for the checkpoint of `size` (replacing its older line). */
export async function storeCosignature(store: ChainStore, size: number, name: string, line: string): Promise<void> {
  // Read-modify-write inside one LMDB write transaction: witnesses answer concurrently.
  await store.meta.transaction(() => {
    const lines = storedCosignatures(store, size).filter((l) => !l.startsWith(`\u2014 ${name} `));
    store.meta.put(key(size), [...lines, line]);
  });
}

/** `note` with the stored cosignature lines of its size appended (each line once). */
export function withCosignatures(store: ChainStore, size: number, note: string): string {
  const lines = storedCosignatures(store, size);
  if (lines.length === 0) return note;
  const present = new Set(note.slice(parseSignedNote(note).text.length + 1).split('\n').map((l) => l + '\n'));
  return note + lines.filter((l) => !present.has(l)).join('');
}
