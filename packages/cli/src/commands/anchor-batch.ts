/**
 * `govchain anchor-batch FILE`: hybrid anchoring for operators. FILE holds one hex SHA-256
 * digest per line, or is a CSV whose `--column` holds them. One `notary.anchor_batch`
 * transaction commits the batch root; the command then writes the batch's shared proof
 * bundle and every record's proof (`batch` section), as NDJSON or one bundle per record.
 * `govchain proof record` turns one NDJSON line back into a self-contained bundle.
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createSeedSigner } from '@govchain/core';
import { MAX_BATCH_RECORDS, createGovchain } from '@govchain/sdk';
import { prepareBatchParallel } from '@govchain/sdk/node';
import { globals, output, signingKey, UsageError } from '../context.js';

const HEX64 = /^[0-9a-fA-F]{64}$/;

/** Split one CSV line (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Read the digests of FILE as one flat array of 32-byte digests. */
export function readDigestFile(path: string, column?: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
  const lines = text.split(/\r?\n/);
  let col = -1;
  let first = 0;
  if (column !== undefined) {
    const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
    col = /^\d+$/.test(column) ? Number(column) - 1 : header.indexOf(column);
    if (col < 0 || col >= header.length) throw new UsageError(`${path}: no column "${column}" in the CSV header (${header.join(', ')})`);
    first = /^\d+$/.test(column) && HEX64.test(header[col] ?? '') ? 0 : 1; // a numbered column may have no header
  }
  const flat = new Uint8Array(Math.min(lines.length, MAX_BATCH_RECORDS + 1) * 32);
  let n = 0;
  for (let i = first; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || (col < 0 && line.startsWith('#'))) continue;
    const value = (col < 0 ? line : splitCsvLine(line)[col] ?? '').trim();
    if (!HEX64.test(value)) throw new UsageError(`${path}:${i + 1}: not a hex SHA-256 digest: ${JSON.stringify(value.slice(0, 80))}`);
    if (n >= MAX_BATCH_RECORDS) throw new UsageError(`${path}: more than ${MAX_BATCH_RECORDS} digests; split the file into batches`);
    flat.set(Buffer.from(value, 'hex'), n * 32);
    n++;
  }
  if (n === 0) throw new UsageError(`${path} holds no digests`);
  return flat.subarray(0, n * 32);
}

export function registerAnchorBatch(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('anchor-batch'))
    .argument('<file>', 'one hex SHA-256 digest per line, or a CSV with --column')
    .description('anchor up to 1,000,000 record digests in one transaction and write every record\'s proof')
    .option('--column <name|n>', 'the CSV column holding the digests (header name or 1-based number)')
    .option('--label <text>', 'a public label (never personal data)')
    .option('--out <file.ndjson>', 'record proofs, one JSON line each (default FILE.proofs.ndjson)')
    .option('--bundle <file>', 'the batch\'s shared proof bundle (default FILE.batch.govproof.json)')
    .option('--dir <dir>', 'instead of NDJSON, one self-contained <digest>.govproof.json per record')
    .action(async (file: string, opts) => {
      const g = globals(opts);
      const flat = readDigestFile(file, opts.column);
      const key = signingKey(g);
      const sdk = createGovchain({ url: g.node, signer: createSeedSigner(key.seed, key.did, key.kid) });
      const batch = await sdk.notary.anchorBatch({ digests: await prepareBatchParallel(flat), ...(opts.label === undefined ? {} : { label: opts.label }) });
      let proofs: string;
      const bundlePath = opts.dir !== undefined ? join(opts.dir, 'batch.govproof.json') : (opts.bundle ?? `${file}.batch.govproof.json`);
      if (opts.dir !== undefined) {
        mkdirSync(opts.dir, { recursive: true });
        for (let i = 0; i < batch.count; i++) {
          const b = batch.recordBundle(i);
          writeFileSync(join(opts.dir, `${b.batch!.digest}.govproof.json`), JSON.stringify(b, null, 2) + '\n');
        }
        proofs = opts.dir;
      } else {
        proofs = opts.out ?? `${file}.proofs.ndjson`;
        const fd = openSync(proofs, 'w');
        try {
          const chunk: string[] = [];
          for (let i = 0; i < batch.count; i++) {
            chunk.push(batch.proofJson(i));
            if (chunk.length === 10_000 || i === batch.count - 1) {
              writeSync(fd, chunk.join('\n') + '\n');
              chunk.length = 0;
            }
          }
        } finally {
          closeSync(fd);
        }
      }
      writeFileSync(bundlePath, JSON.stringify(batch.bundle, null, 2) + '\n');
      output(
        g,
        { txid: batch.txid, root: batch.root, count: batch.count, bundle: bundlePath, proofs },
        `Anchored ${batch.count} record digests in one transaction\n  txid:   ${batch.txid}\n  root:   ${batch.root}\n  bundle: ${bundlePath}\n  proofs: ${proofs}`,
      );
    });
}
