/** `govchain tx submit FILE|-`: submit an envelope, or sign a body with --key and submit it. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { signTxSync, type JsonValue } from '@govchain/core';
import { buildTxBody, createClient } from '@govchain/sdk';
import { globals, output, signingKey, UsageError } from '../context.js';

/** Read a JSON file or standard input ("-"). */
export function readJsonInput(path: string): unknown {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function registerTx(program: Command, withGlobals: (c: Command) => Command): void {
  const tx = program.command('tx').description('transactions');
  withGlobals(tx.command('submit'))
    .argument('<file>', 'an envelope {body, signatures}, or a body to sign with --key ("-" reads stdin)')
    .description('submit a transaction and wait for its commit')
    .option('--no-wait', 'return as soon as the node accepts it')
    .action(async (file: string, opts) => {
      const g = globals(opts);
      const input = readJsonInput(file) as Record<string, unknown>;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new UsageError('the input must be a JSON object');
      const client = createClient({ url: g.node });
      let envelope;
      if ('signatures' in input) envelope = input as any;
      else {
        const key = signingKey(g);
        const body = 'body' in input ? (input.body as Record<string, unknown>) : input;
        if (typeof body.type !== 'string' || typeof body.payload !== 'object') throw new UsageError('a body needs "type" and "payload"');
        const chain = typeof body.chain === 'string' ? body.chain : (await client.status()).chainId;
        envelope = signTxSync(
          buildTxBody({
            chain,
            type: body.type,
            signer: typeof body.signer === 'string' ? body.signer : key.did,
            payload: body.payload as { [k: string]: JsonValue },
            ...(typeof body.nonce === 'string' ? { nonce: body.nonce } : {}),
            ...(typeof body.expires === 'string' ? { expires: body.expires } : {}),
          }),
          [key],
        );
      }
      const r = await client.submit(envelope, opts.wait === false ? {} : { wait: 'commit' });
      const status = r.receipt?.status ?? 'pending';
      output(g, r.receipt ?? { txid: r.txid }, `txid ${r.txid}: ${status}${r.receipt?.code ? ` (${r.receipt.code})` : ''}${r.receipt ? ` at height ${r.receipt.height}` : ''}`);
    });
}
