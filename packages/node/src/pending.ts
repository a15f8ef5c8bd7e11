/**
 * Blocks that are executed but not yet durable. The node executes block h+1 while block h
 * is written and fsynced; execution reads the chain through this overlay so it sees
 * block h's writes before they reach the store. Nothing here is ever served to clients:
 * receipts and reads come from the store, after durability.
 */
import { equalBytes, type JsonValue, type LogNodeReader, type SmtNode, type SmtNodeReader } from '@govchain/core';
import type { ChainView, ExecutedBlock } from './execute.js';
import { stateTableKey, type ChainHead, type ChainStore } from './store.js';

interface Layer {
  readonly head: ChainHead;
  readonly txids: ReadonlySet<string>;
  readonly state: ReadonlyMap<string, { text: string } | null>;
  readonly smt: NodesByHash;
  readonly log: ReadonlyMap<string, Uint8Array>;
}

/**
 * A block's new state-map nodes by hash. Keyed by the hash's first 30 bits (a small integer,
 * so no string is built per node as a Map<string> would need); the full hash decides, and
 * the rare entries that share 30 bits are kept in a list.
 */
export class NodesByHash {
  private readonly map = new Map<number, { hash: Uint8Array; node: SmtNode } | Array<{ hash: Uint8Array; node: SmtNode }>>();

  private static slot(h: Uint8Array): number {
    return (h[0]! << 22) | (h[1]! << 14) | (h[2]! << 6) | (h[3]! >>> 2);
  }

  add(entry: { hash: Uint8Array; node: SmtNode }): void {
    const k = NodesByHash.slot(entry.hash);
    const there = this.map.get(k);
    if (there === undefined) this.map.set(k, entry);
    else if (Array.isArray(there)) there.push(entry);
    else this.map.set(k, [there, entry]);
  }

  get(hash: Uint8Array): SmtNode | undefined {
    const there = this.map.get(NodesByHash.slot(hash));
    if (there === undefined) return undefined;
    if (!Array.isArray(there)) return equalBytes(there.hash, hash) ? there.node : undefined;
    return there.find((e) => equalBytes(e.hash, hash))?.node;
  }
}


/** The layers of pending blocks over a store, newest last. */
export class PendingBlocks {
  private layers: Layer[] = [];

  constructor(private readonly store: ChainStore) {}

  /** Number of executed blocks not yet durable. */
  get size(): number {
    return this.layers.length;
  }

  /** Add an executed block on top. */
  push(head: ChainHead, b: ExecutedBlock): void {
    const smt = new NodesByHash();
    for (const n of b.smtNodes) smt.add(n);
    const log = new Map<string, Uint8Array>();
    for (const n of b.logNodes) log.set(`${n.level}:${n.index}`, n.hash);
    this.layers.push({ head, txids: new Set(b.txids), state: b.stateWrites, smt, log });
  }

  /** Drop the oldest layer (its block is now durable in the store). */
  shift(): void {
    this.layers.shift();
  }

  /** Forget every layer (the node has stopped committing). */
  clear(): void {
    this.layers = [];
  }

  /** A chain view: the store plus the pending layers. */
  view(chainId: string): ChainView {
    const store = this.store;
    const logReader: LogNodeReader = {
      getNode: (level, index) => {
        const k = `${level}:${index}`;
        for (let i = this.layers.length - 1; i >= 0; i--) {
          const h = this.layers[i]!.log.get(k);
          if (h !== undefined) return h;
        }
        return store.logNode(level, index);
      },
    };
    const smtReader: SmtNodeReader = {
      getNode: (hash, version) => {
        // A node stored under version v was created by block v: only that layer can hold it.
        if (version !== undefined) {
          for (let i = this.layers.length - 1; i >= 0; i--) {
            const l = this.layers[i]!;
            if (l.head.height === version) {
              const n = l.smt.get(hash);
              if (n !== undefined) return n;
            }
          }
        }
        return store.smtNodeDecoded(hash, version);
      },
    };
    return {
      chainId,
      head: () => this.layers.at(-1)?.head ?? store.head(),
      isCommitted: (txid) => this.layers.some((l) => l.txids.has(txid)) || store.hasTx(txid),
      stateValue: (module, key) => {
        const k = stateTableKey(module, key);
        for (let i = this.layers.length - 1; i >= 0; i--) {
          const l = this.layers[i]!;
          if (l.state.has(k)) {
            const w = l.state.get(k);
            return w === null || w === undefined ? undefined : (JSON.parse(w.text) as JsonValue);
          }
        }
        return store.stateValue(module, key);
      },
      logReader,
      smtReader,
    };
  }
}
