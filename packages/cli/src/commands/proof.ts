/** `govchain proof verify BUNDLE`: offline verification of a proof bundle. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GovchainError } from '@govchain/core';
import { createClient, fetchBundleAnchor, verifyProofBundle, type ProofBundle } from '@govchain/sdk';
import { globals, output, UsageError, VerificationFailure } from '../context.js';
import { fileSha256 } from './notarize.js';
import { readJsonInput } from './tx.js';

/** Read a trust file: the JSON of GET /v1/validators, or one verifier key per line. */
export function readTrustFile(path: string): { vkeys: string[]; quorum?: number } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const j = JSON.parse(text) as { vkeys?: unknown; quorum?: unknown };
    if (!Array.isArray(j.vkeys) || !j.vkeys.every((v) => typeof v === 'string')) throw new UsageError(`${path}: expected {"quorum", "vkeys": [...]}`);
    return { vkeys: j.vkeys as string[], ...(typeof j.quorum === 'number' ? { quorum: j.quorum } : {}) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const vkeys = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    if (vkeys.length === 0) throw new UsageError(`${path} holds no verifier keys`);
    return { vkeys };
  }
}

export function registerProof(program: Command, withGlobals: (c: Command) => Command): void {
  const proof = program.command('proof').description('proof bundles');
  withGlobals(proof.command('verify'))
    .argument('<bundle>', 'a .govproof.json bundle')
    .description('verify a proof bundle offline (exit 0 valid, 1 invalid)')
    .option('--file <file>', 'also check that this file is the anchored document')
    .option('--trust <vkeys>', 'validator keys to trust (GET /v1/validators JSON, or one vkey per line)')
    .action(async (bundlePath: string, opts) => {
      const g = globals(opts);
      const bundle = readJsonInput(bundlePath);
      const trust = opts.trust === undefined ? undefined : readTrustFile(opts.trust);
      const fileDigest = opts.file === undefined ? undefined : await fileSha256(opts.file);
      let v;
      try {
        v = verifyProofBundle(bundle, {
          ...(fileDigest === undefined ? {} : { fileDigest }),
          ...(trust === undefined ? {} : { trustedVkeys: trust.vkeys, ...(trust.quorum === undefined ? {} : { quorum: trust.quorum }) }),
        });
      } catch (e) {
        if (e instanceof GovchainError) throw new VerificationFailure(`INVALID: ${e.message}`);
        throw e;
      }
      const trustNote = v.trust === 'bundle-keys' ? ' (validator keys taken from the bundle itself; pass --trust to pin them)' : '';
      output(
        g,
        { valid: true, ...v },
        `VALID: transaction ${v.txid} is in the log at index ${v.leafIndex} (block ${v.height}), certified by checkpoint of size ${v.treeSize} at ${v.checkpointTime}${trustNote}` +
          (fileDigest !== undefined ? `\n  the file matches the anchored digest ${v.digest}` : '') +
          (v.anchor !== undefined
            ? `\n  anchored outside the network with checkpoint size ${v.anchor.size}: ${[...v.anchor.proven.map((p) => `proven on ${p.chainId} (tx ${p.txid})`), ...v.anchor.pointers.map((p) => `${p.type} ${p.location}`)].join('; ')}`
            : ''),
      );
    });
  withGlobals(proof.command('anchor'))
    .argument('<bundle>', 'a .govproof.json bundle to extend')
    .description("add the anchor section: where the node anchored a checkpoint covering the bundle's (docs/proof-bundles.md)")
    .action(async (bundlePath: string, opts) => {
      const g = globals(opts);
      const bundle = readJsonInput(bundlePath) as ProofBundle;
      if (bundle?.format !== 'govchain-proof-bundle') throw new UsageError(`${bundlePath} is not a proof bundle`);
      const anchor = await fetchBundleAnchor(g.node, createClient({ url: g.node }), bundle.inclusion.treeSize);
      if (anchor === undefined) throw new UsageError(`no anchored checkpoint covers size ${bundle.inclusion.treeSize} yet; retry after the next anchor interval`);
      writeFileSync(bundlePath, JSON.stringify({ ...bundle, anchor }, null, 2) + '\n');
      output(g, { bundle: bundlePath, receipts: anchor.receipts.map((r) => ({ type: r.type, location: r.location })) }, `Added the anchor section to ${bundlePath} (${anchor.receipts.map((r) => `${r.type} ${r.location}`).join('; ')})`);
    });
}
