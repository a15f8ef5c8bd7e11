/**
 * Blocks that are executed but not yet durable. The node executes block h+1 while block h
 * is written and fsynced; execution reads the chain through this overlay so it sees
 * block h's writes before they reach the store. Nothing here is ever served to clients:
 * receipts and reads come from the store, after durability.
 */
import type { JsonValue, LogNodeReader, SmtNode, SmtNodeReader } from '@govchain/core';
import type { ChainView, ExecutedBlock } from './execute.js';
import { stateTableKey, type ChainHead, type ChainStore } from './store.js';
import { hashMapKey as hashKey } from './smt-codec.js';

interface Layer {
  readonly head: ChainHead;
  readonly txids: ReadonlySet<string>;
  readonly state: ReadonlyMap<string, { text: string } | null>;
  readonly smt: ReadonlyMap<string, SmtNode>;
  readonly log: ReadonlyMap<string, Uint8Array>;
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
    const smt = new Map<string, SmtNode>();
    for (const n of b.smtNodes) smt.set(hashKey(n.hash), n.node);
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
              const n = l.smt.get(hashKey(hash));
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
