/**
 * Anchoring: publish the digest of the latest certified checkpoint outside the network,
 * periodically, to pluggable targets, so that rewriting the chain later would contradict
 * a record kept by someone else. Targets here: an append-only file (JSON lines, fsynced)
 * and an HTTP endpoint (POST of the record as JSON). Another govchain network is a target
 * too (`createGovchainAnchorTarget` in @govchain/sdk: a notary anchor of the digest on
 * network B); any object with `publish` fits. Receipts are kept in the store's `meta`
 * table (`anchor/<size>`) so that proof bundles can include them.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseSignedNote, sha256, toHex, utf8, type JsonValue } from '@govchain/core';
import type { GovchainNode } from './node.js';

/** What is anchored (format `govchain-anchor`, version 1; docs/interop.md). */
export interface AnchorRecord {
  format: 'govchain-anchor';
  version: 1;
  origin: string;
  size: number;
  height: number;
  time: string;
  /** Hex SHA-256 of the checkpoint body (the signed note's text, without signatures). */
  digest: string;
  /** The checkpoint body itself. */
  checkpoint: string;
}

/** Where and how a record was anchored; `type` names the target kind. */
export interface AnchorReceipt {
  type: string;
  location: string;
  [extra: string]: JsonValue;
}

/** A place to anchor checkpoint digests. */
export interface AnchorTarget {
  readonly type: string;
  publish(record: AnchorRecord): Promise<AnchorReceipt>;
}

/** Anchor targets in node.json (`anchors`). */
export type AnchorConfig =
  | { type: 'file'; path: string }
  | { type: 'http'; url: string }
  | { type: 'govchain'; node: string; key: string };

/** The anchor record of a certified checkpoint note. */
export function anchorRecordOf(note: string): AnchorRecord {
  const body = parseSignedNote(note).text;
  const lines = body.split('\n');
  return {
    format: 'govchain-anchor',
    version: 1,
    origin: lines[0]!,
    size: Number(lines[1]),
    height: Number(lines[3]!.slice('height '.length)),
    time: lines[5]!.slice('time '.length),
    digest: toHex(sha256(utf8(body))),
    checkpoint: body,
  };
}

/** Append each record as one JSON line to `path`, fsynced before the receipt. */
export function createFileAnchorTarget(path: string): AnchorTarget {
  return {
    type: 'file',
    async publish(record) {
      mkdirSync(dirname(path), { recursive: true });
      const fd = openSync(path, 'a', 0o644);
      try {
        writeSync(fd, JSON.stringify(record) + '\n');
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return { type: 'file', location: path };
    },
  };
}

/** POST each record as JSON to `url`; any 2xx is a receipt. */
export function createHttpAnchorTarget(url: string, timeoutMs = 5000): AnchorTarget {
  return {
    type: 'http',
    async publish(record) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record), signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new Error(`anchor endpoint ${url} answered ${res.status}`);
      return { type: 'http', location: url, status: res.status };
    },
  };
}

/** Stored anchors of the checkpoint of `size`: the record and one receipt per target. */
export function storedAnchor(node: GovchainNode, size: number): { record: AnchorRecord; receipts: AnchorReceipt[] } | undefined {
  return node.store.meta.get(`anchor/${size}`) as { record: AnchorRecord; receipts: AnchorReceipt[] } | undefined;
}

/** The smallest anchored checkpoint size >= `size`, if any. */
export function anchoredSizeAtLeast(node: GovchainNode, size: number): number | undefined {
  const list = (node.store.meta.get('anchors') as number[] | undefined) ?? [];
  return list.find((s) => s >= size);
}

/** Publishes the latest certified checkpoint to every target every `intervalMs`. */
export class Anchorer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastSize = -1;

  constructor(
    private readonly node: GovchainNode,
    readonly targets: readonly AnchorTarget[],
    private readonly intervalMs = 60_000,
  ) {}

  /** Anchor now, then every interval. */
  start(): void {
    if (this.timer !== undefined || this.targets.length === 0) return;
    void this.anchorLatest();
    this.timer = setInterval(() => void this.anchorLatest(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Anchor the latest certified checkpoint (once per size); resolves with its receipts. */
  async anchorLatest(): Promise<{ record: AnchorRecord; receipts: AnchorReceipt[] } | undefined> {
    while (this.running !== undefined) await this.running;
    const cp = this.node.latestCheckpoint();
    if (cp === undefined || cp.checkpoint.size === this.lastSize) return cp === undefined ? undefined : storedAnchor(this.node, cp.checkpoint.size);
    const record = anchorRecordOf(cp.note);
    let result: { record: AnchorRecord; receipts: AnchorReceipt[] } | undefined;
    this.running = (async () => {
      const receipts: AnchorReceipt[] = [];
      for (const t of this.targets) {
        try {
          receipts.push(await t.publish(record));
        } catch (e) {
          this.node.log.warn({ target: t.type, err: (e as Error).message }, 'anchoring failed; retrying at the next interval');
        }
      }
      if (receipts.length === 0) return;
      result = { record, receipts };
      const list = (this.node.store.meta.get('anchors') as number[] | undefined) ?? [];
      await this.node.store.meta.put(`anchor/${record.size}`, result);
      await this.node.store.meta.put('anchors', [...list.filter((s) => s !== record.size), record.size].sort((a, b) => a - b));
      if (receipts.length === this.targets.length) this.lastSize = record.size;
    })().finally(() => {
      this.running = undefined;
    });
    await this.running;
    return result;
  }
}
