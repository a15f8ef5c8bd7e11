/** `govchain proof verify BUNDLE`: offline verification of a proof bundle. */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GovchainError } from '@govchain/core';
import { createClient, fetchBundleAnchor, recordBundle, verifyProofBundle, type BatchRecordProof, type ProofBundle } from '@govchain/sdk';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
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
        (v.batch === undefined ? '' : `VALID: record ${v.digest} is number ${v.batch.index} of ${v.batch.count} in the batch with root ${v.batch.root}\n`) +
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

  withGlobals(proof.command('record'))
    .argument('<batch-bundle>', 'the batch\'s shared bundle (FILE.batch.govproof.json)')
    .argument('<proofs>', 'the record proofs (FILE.proofs.ndjson)')
    .requiredOption('--digest <hex>', 'the record\'s SHA-256 digest')
    .option('--out <file>', 'where to write the bundle (default <digest>.govproof.json)')
    .description('write a self-contained proof bundle for one record of an anchored batch')
    .action(async (bundlePath: string, proofsPath: string, opts) => {
      const g = globals(opts);
      const shared = readJsonInput(bundlePath) as ProofBundle;
      const digest = String(opts.digest).toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(digest)) throw new UsageError('--digest must be a hex SHA-256 digest');
      let found: BatchRecordProof | undefined;
      const rl = createInterface({ input: createReadStream(proofsPath), crlfDelay: Infinity });
      try {
        for await (const line of rl) {
          if (!line.includes(digest)) continue;
          const p = JSON.parse(line) as BatchRecordProof;
          if (p.digest === digest) {
            found = p;
            break;
          }
        }
      } catch (e) {
        throw new UsageError(`cannot read ${proofsPath}: ${(e as Error).message}`);
      } finally {
        rl.close();
      }
      if (found === undefined) throw new VerificationFailure(`digest ${digest} is not in ${proofsPath}`);
      const out = opts.out ?? `${digest}.govproof.json`;
      writeFileSync(out, JSON.stringify(recordBundle(shared, found), null, 2) + '\n');
      output(g, { bundle: out, index: found.index }, `Wrote ${out} (record ${found.index} of ${found.count})`);
    });
}
