/**
 * The node's side of C2SP tlog-witness: after each committed block, submit the latest
 * certified checkpoint, with an RFC 6962 consistency proof from the size the witness last
 * cosigned, to every configured witness (`node.json` `witnesses: [{name, vkey, url}]`),
 * check the returned cosignature against the witness's key, and store it next to the
 * checkpoint (./cosignatures.ts) so that `GET /v1/checkpoint` serves it. A witness that
 * answers 409 tells its size; the client retries once from there. Failures are logged
 * and retried after the next block; they never stop the node.
 */
import { formatSignedNote, GovchainError, parseCosignerVerifierKey, parseSignedNote, toBase64, verifyCosignatures } from '@govchain/core';
import { storeCosignature } from './cosignatures.js';
import type { GovchainNode } from './node.js';

/** A witness in node.json. */
export interface WitnessConfig {
  /** The witness's key name (as in its cosignature lines). */
  name: string;
  /** Its verifier key "<name>+<key id>+<base64(0x04 || key)>". */
  vkey: string;
  /** Its submission prefix, e.g. http://127.0.0.1:7000 (POST <url>/add-checkpoint). */
  url: string;
}

/** Outcome of one submission. */
export interface WitnessSubmission {
  witness: string;
  size: number;
  ok: boolean;
  status?: number;
  error?: string;
}

/** Submits certified checkpoints to witnesses and collects their cosignatures. */
export class WitnessClient {
  private readonly sizes = new Map<string, number>();
  private running: Promise<WitnessSubmission[]> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly node: GovchainNode,
    readonly witnesses: readonly WitnessConfig[],
    private readonly timeoutMs = 5000,
  ) {
    witnesses.forEach((w, i) => {
      const v = parseCosignerVerifierKey(w.vkey);
      if (v.name !== w.name) throw new GovchainError('config.invalid', `node.json witnesses[${i}]: name "${w.name}" does not match its vkey (${v.name})`);
      if (!/^https?:\/\//.test(w.url)) throw new GovchainError('config.invalid', `node.json witnesses[${i}]: url must be http(s)://...`);
    });
  }

  /**
   * Submit now, after every committed block (coalesced: at most one round in flight), and
   * every `retryMs` (a witness that was down catches up even when no block comes).
   */
  start(retryMs = 10_000): void {
    if (this.unsubscribe !== undefined || this.witnesses.length === 0) return;
    const round = (): void => void this.submitLatest().catch(() => {});
    this.unsubscribe = this.node.onCommit(round);
    this.timer = setInterval(round, retryMs);
    this.timer.unref();
    round();
  }

  /** Stop following blocks and wait for the round in flight. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** Submit the latest certified checkpoint to every witness now (one round). */
  submitLatest(): Promise<WitnessSubmission[]> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let out: WitnessSubmission[] = [];
      do {
        this.again = false;
        const cp = this.node.latestCheckpoint();
        if (cp === undefined) return [];
        out = await Promise.all(this.witnesses.map((w) => this.submitTo(w, cp.checkpoint.size, cp.note)));
      } while (this.again);
      return out;
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async submitTo(w: WitnessConfig, size: number, note: string): Promise<WitnessSubmission> {
    const base = { witness: w.name, size };
    if (this.sizes.get(w.name) === size) return { ...base, ok: true, status: 200 };
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const old = this.sizes.get(w.name) ?? 0;
        if (old > size) return { ...base, ok: false, error: `witness is ahead (size ${old})` };
        const proof = old === 0 || old === size ? [] : this.node.proveConsistency(old, size);
        const body = `old ${old}\n${proof.map((h) => toBase64(h) + '\n').join('')}\n${note}`;
        const post = (): Promise<Response> =>
          fetch(`${w.url.replace(/\/+$/, '')}/add-checkpoint`, { method: 'POST', body, headers: { 'content-type': 'text/plain; charset=utf-8' }, signal: AbortSignal.timeout(this.timeoutMs) });
        // One immediate retry on a network error: a kept-alive connection to a witness that restarted fails once.
        const res = await post().catch(() => post());
        const text = await res.text();
        if (res.status === 409 && (res.headers.get('content-type') ?? '').startsWith('text/x.tlog.size')) {
          this.sizes.set(w.name, Number(text.trim()));
          continue;
        }
        if (res.status !== 200) {
          this.node.log.warn({ witness: w.name, status: res.status, reason: text.trim() }, 'witness refused the checkpoint');
          return { ...base, ok: false, status: res.status, error: text.trim() };
        }
        const bodyText = parseSignedNote(note).text;
        const line = text.split('\n').find((l) => l.startsWith(`\u2014 ${w.name} `));
        if (line === undefined) throw new GovchainError('witness.bad_response', `witness ${w.name} returned no cosignature line`);
        // Check it as a note: the checkpoint body with this one line.
        const sig = parseSignedNote(`${bodyText}\n${line}\n`).signatures[0]!;
        if (verifyCosignatures(formatSignedNote(bodyText, [sig]), [w.vkey]).length !== 1) {
          throw new GovchainError('witness.bad_response', `witness ${w.name} returned a cosignature for another key`);
        }
        await storeCosignature(this.node.store, size, w.name, `${line}\n`);
        this.sizes.set(w.name, size);
        return { ...base, ok: true, status: 200 };
      }
      return { ...base, ok: false, status: 409, error: 'witness size keeps changing' };
    } catch (e) {
      this.node.log.warn({ witness: w.name, err: (e as Error).message }, 'witness submission failed');
      return { ...base, ok: false, error: (e as Error).message };
    }
  }
}
