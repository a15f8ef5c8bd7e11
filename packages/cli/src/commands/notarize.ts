/** `govchain notarize FILE`: anchor a file's SHA-256 and write its proof bundle. */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { signTxSync } from '@govchain/core';
import { buildTxBody, createClient, fetchProofBundle } from '@govchain/sdk';
import { globals, output, signingKey, UsageError } from '../context.js';

/** SHA-256 of a file, streamed. */
export async function fileSha256(path: string): Promise<string> {
  if (!existsSync(path)) throw new UsageError(`file not found: ${path}`);
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

export function registerNotarize(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('notarize'))
    .argument('<file>', 'the document to anchor (only its SHA-256 leaves this machine)')
    .description('anchor a file and write FILE.govproof.json')
    .option('--label <text>', 'a public label (never personal data)')
    .option('--out <bundle>', 'where to write the proof bundle (default FILE.govproof.json)')
    .action(async (file: string, opts) => {
      const g = globals(opts);
      const digest = await fileSha256(file);
      const key = signingKey(g);
      const client = createClient({ url: g.node });
      const { chainId } = await client.status();
      const payload: { digest: string; label?: string } = { digest };
      if (opts.label !== undefined) payload.label = opts.label;
      const envelope = signTxSync(buildTxBody({ chain: chainId, type: 'notary.anchor', signer: key.did, payload }), [key]);
      const r = await client.submit(envelope, { wait: 'commit' });
      let txid = r.txid;
      let note = '';
      if (r.receipt?.status === 'failed') {
        if (r.receipt.code !== 'notary.already_anchored') throw new UsageError(`the anchor transaction failed: ${r.receipt.code}`);
        const existing = await client.state('notary', digest);
        txid = (existing.value as { txid: string }).txid;
        note = ' (already anchored earlier; bundle proves the first anchor)';
      }
      const bundle = await fetchProofBundle(client, txid, { file: { name: basename(file), sha256: digest } });
      const out = opts.out ?? `${file}.govproof.json`;
      writeFileSync(out, JSON.stringify(bundle, null, 2) + '\n');
      output(g, { txid, bundle: out }, `Anchored ${basename(file)} (sha256 ${digest})${note}\n  txid:   ${txid}\n  bundle: ${out}`);
    });
}
