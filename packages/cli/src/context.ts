/**
 * What every command shares: global options (CONTRACT.md s.1), output in human or
 * `--json` form, and the exit-code discipline (0 ok, 1 verification failure, 2 bad
 * usage or input, one line on stderr).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GovchainError, signTxSync, type JsonValue, type Receipt } from '@govchain/core';
import { buildTxBody, type GovchainClient } from '@govchain/sdk';
import { readDemoIdentities, readKeyFile, type LoadedKey } from '@govchain/node';

/** Options every command accepts. */
export interface GlobalOptions {
  data: string;
  json: boolean;
  node: string;
  key?: string;
}

/** A verification failure: exit code 1. */
export class VerificationFailure extends Error {}

/** A usage or input error: exit code 2. */
export class UsageError extends Error {}

/** Resolve global options from flags and environment. */
export function globals(opts: Partial<GlobalOptions>): GlobalOptions {
  return {
    data: resolve(opts.data ?? process.env.GOVCHAIN_DATA ?? './.govchain'),
    json: opts.json === true,
    node: (opts.node ?? process.env.GOVCHAIN_NODE ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''),
    ...(opts.key === undefined ? {} : { key: opts.key }),
  };
}

/** Print a result: the JSON object with --json, else the human text. */
export function output(g: GlobalOptions, json: object, human: string): void {
  process.stdout.write(g.json ? JSON.stringify(json) + '\n' : human.endsWith('\n') ? human : human + '\n');
}

/** The signing key: --key, else the first demo citizen of the data folder. */
export function signingKey(g: GlobalOptions): LoadedKey {
  if (g.key !== undefined) return readKeyFile(g.key);
  const citizen = readDemoIdentities(g.data).find((i) => i.role === 'citizen');
  if (citizen === undefined || !existsSync(citizen.keyFile)) {
    throw new UsageError(`no signing key: pass --key FILE (or use a demo data folder; looked in ${g.data})`);
  }
  return readKeyFile(citizen.keyFile);
}

/** Turn any error into a one-line message and exit code. */
export function exitCodeFor(e: unknown): { code: number; message: string } {
  if (e instanceof VerificationFailure) return { code: 1, message: e.message };
  if (e instanceof UsageError) return { code: 2, message: e.message };
  if (e instanceof GovchainError) return { code: 2, message: `${e.message} [${e.code}]` };
  return { code: 2, message: (e as Error)?.message ?? String(e) };
}

/**
 * Sign `type` with `key` (default: the signing key of `g`), submit it, wait for its commit;
 * a failed receipt is a usage error naming its code.
 */
export async function submitSigned(g: GlobalOptions, client: GovchainClient, type: string, payload: Record<string, JsonValue>, key: LoadedKey = signingKey(g)): Promise<Receipt> {
  const { chainId } = await client.status();
  const r = await client.submit(signTxSync(buildTxBody({ chain: chainId, type, signer: key.did, payload }), [key]), { wait: 'commit' });
  if (r.receipt === undefined) throw new UsageError(`transaction ${r.txid} was not committed in time; check it later with GET /v1/txs/${r.txid}`);
  if (r.receipt.status !== 'ok') throw new UsageError(`${type} failed: ${r.receipt.code}`);
  return r.receipt;
}
