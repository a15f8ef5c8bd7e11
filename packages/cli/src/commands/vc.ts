/**
 * `govchain vc verify PAYLOAD` and `govchain vc snapshot`: verify an SD-JWT VC
 * presentation (the text of its QR code, `GCVC1:...`) offline against a trust snapshot
 * (state proofs of agencies and status lists under a quorum-signed checkpoint), or online
 * through the node. Exit 0 valid, 1 refused, 2 bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GovchainError } from '@govchain/core';
import { trustFromSnapshot, verifyCredential, type CredentialTrustSnapshot, type CredentialVerification } from '@govchain/sdk/credentials';
import { globals, output, UsageError, VerificationFailure, type GlobalOptions } from '../context.js';
import { readTrustFile } from './proof.js';

function readPayload(arg: string): string {
  if (arg === '-') return readFileSync(0, 'utf8').trim();
  if (!arg.startsWith('GCVC1:') && !arg.includes('~') && existsSync(arg)) return readFileSync(arg, 'utf8').trim();
  return arg.trim();
}

async function fetchJson(g: GlobalOptions, path: string, init?: RequestInit): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(`${g.node}${path}`, init);
  } catch (e) {
    throw new GovchainError('client.unreachable', `cannot reach ${g.node}: ${(e as Error).message}`);
  }
  const body = (await res.json()) as { detail?: string; code?: string };
  if (!res.ok) throw new UsageError(`${g.node}${path}: ${body.detail ?? res.status} [${body.code ?? 'http'}]`);
  return body;
}

export function registerVc(program: Command, withGlobals: (c: Command) => Command): void {
  const vc = program.command('vc').description('verifiable credentials (SD-JWT VC)');
  withGlobals(vc.command('verify'))
    .argument('<payload>', 'the QR payload (GCVC1:...), an SD-JWT presentation, a file holding one, or - for stdin')
    .description('verify a credential: offline with --snapshot, else online through --node (exit 0 valid, 1 refused)')
    .option('--snapshot <file>', 'trust snapshot (govchain vc snapshot) for offline verification')
    .option('--trust <vkeys>', 'validator keys to trust (GET /v1/validators JSON, or one vkey per line)')
    .action(async (arg: string, opts) => {
      const g = globals(opts);
      const payload = readPayload(arg);
      let v: CredentialVerification;
      let how: string;
      if (opts.snapshot !== undefined) {
        let snapshot: CredentialTrustSnapshot;
        try {
          snapshot = JSON.parse(readFileSync(opts.snapshot, 'utf8')) as CredentialTrustSnapshot;
        } catch (e) {
          throw new UsageError(`cannot read snapshot ${opts.snapshot}: ${(e as Error).message}`);
        }
        const t = opts.trust === undefined ? undefined : readTrustFile(opts.trust);
        const trust = trustFromSnapshot(snapshot, t === undefined ? undefined : { vkeys: t.vkeys, quorum: t.quorum ?? Math.floor((2 * t.vkeys.length) / 3) + 1 });
        v = await verifyCredential(payload, trust);
        how = `offline, ledger state as of ${trust.checkpointTime}${trust.trust === 'snapshot-keys' ? ' (validator keys from the snapshot itself; pass --trust to pin them)' : ''}`;
      } else {
        v = (await fetchJson(g, '/v1/credentials/verify', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ presentation: payload }) })) as CredentialVerification;
        how = `online, ${g.node}`;
      }
      if (!v.valid) {
        if (g.json) process.stdout.write(JSON.stringify(v) + '\n');
        throw new VerificationFailure(`REFUSED: ${v.reason} [${v.code}]`);
      }
      const claims = Object.entries(v.claims ?? {})
        .filter(([k]) => !['iss', 'sub', 'vct', 'iat', 'ledger_status', 'cnf', '_sd_alg'].includes(k))
        .map(([k, val]) => `  ${k}: ${JSON.stringify(val)}`)
        .join('\n');
      output(g, v, `VALID: ${v.vct} issued by ${v.issuerName} (${v.issuer}) to ${v.subject}; status ${v.status} (${how})\n${claims}`);
    });
  withGlobals(vc.command('snapshot'))
    .description('save a trust snapshot (agencies and status lists with state proofs) for offline verification')
    .option('--out <file>', 'where to write it', 'vc-trust.json')
    .action(async (opts) => {
      const g = globals(opts);
      const snap = (await fetchJson(g, '/v1/credentials/trust')) as CredentialTrustSnapshot;
      writeFileSync(opts.out, JSON.stringify(snap) + '\n');
      output(g, { file: opts.out, entries: snap.entries.length }, `wrote ${opts.out} (${snap.entries.length} entries)`);
    });
}
