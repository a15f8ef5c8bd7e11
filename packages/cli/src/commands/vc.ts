/**
 * `govchain vc verify PAYLOAD` and `govchain vc snapshot`: verify an SD-JWT VC
 * presentation (the text of its QR code, `GCVC1:...`) offline against a trust snapshot
 * (state proofs of agencies and status lists under a quorum-signed checkpoint), or online
 * through the node. Exit 0 valid, 1 refused, 2 bad input.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { GovchainError } from '@govchain/core';
import { encodeCredentialQr, issueCredential, presentCredential, trustFromSnapshot, verifyCredential, type CredentialTrustSnapshot, type CredentialVerification } from '@govchain/sdk/credentials';
import { createClient } from '@govchain/sdk';
import type { JsonValue } from '@govchain/core';
import { globals, output, signingKey, submitSigned, UsageError, VerificationFailure, type GlobalOptions } from '../context.js';
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

function statusIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 4095) throw new UsageError('--idx must be an integer from 0 to 4095');
  return n;
}

export function registerVc(program: Command, withGlobals: (c: Command) => Command): void {
  const vc = program.command('vc').description('verifiable credentials (SD-JWT VC)');
  withGlobals(vc.command('issue'))
    .argument('<application>', 'the approved application (its id)')
    .requiredOption('--claims <json>', 'the claims, as a JSON object (kept off the ledger)')
    .requiredOption('--list <name>', 'the status list of the issuing agency')
    .requiredOption('--idx <n>', 'the entry of this credential in the list (0-4095)')
    .option('--disclose <names>', 'comma-separated claims the holder may disclose one by one (default: all)')
    .option('--out <file>', 'where to write the SD-JWT (default <application>.sd-jwt)')
    .description("issue an SD-JWT VC for an approved application, signed with the agency's key (--key), and record its digest and status entry on the ledger")
    .action(async (application: string, opts) => {
      const g = globals(opts);
      let claims: Record<string, JsonValue>;
      try {
        claims = JSON.parse(String(opts.claims)) as Record<string, JsonValue>;
      } catch (e) {
        throw new UsageError(`--claims is not JSON: ${(e as Error).message}`);
      }
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new UsageError('--claims must be a JSON object');
      const idx = statusIndex(String(opts.idx));
      const key = signingKey(g);
      const app = (await fetchJson(g, `/v1/applications/${encodeURIComponent(application)}`)) as { agency: string; service: string; version?: number; status: string };
      const client = createClient({ url: g.node });
      const service = (await client.state('services', `service/${app.agency}/${app.service}${app.version === undefined ? '' : `@${app.version}`}`)).value as { credential?: string } | null;
      if (service?.credential === undefined) throw new UsageError(`service ${app.service} issues no credential`);
      const applicant = (await client.state('services', `application/${application}`)).value as { applicant: string };
      const disclosable = opts.disclose === undefined ? Object.keys(claims) : String(opts.disclose).split(',').filter((x) => x !== '');
      const { sdJwt, digest } = await issueCredential({ issuer: key, vct: service.credential, subject: applicant.applicant, claims, disclosable, status: { list: String(opts.list), idx }, application });
      const r = await submitSigned(g, client, 'services.issue_credential', { application, digest, list: String(opts.list), idx }, key);
      const out = opts.out ?? `${application}.sd-jwt`;
      writeFileSync(out, sdJwt + '\n', { mode: 0o600 });
      const qr = encodeCredentialQr(await presentCredential(sdJwt, disclosable));
      output(g, { txid: r.txid, digest, sdJwt: out, qr }, `Issued ${service.credential} for application ${application}\n  digest: ${digest} (recorded in txid ${r.txid})\n  SD-JWT: ${out} (deliver it to the holder: POST /v1/documents)\n  QR:     ${qr.slice(0, 40)}...`);
    });
  withGlobals(vc.command('status'))
    .argument('<state>', 'valid, suspended or revoked (revoked is final)')
    .requiredOption('--list <name>', 'the status list of the issuing agency')
    .requiredOption('--idx <n>', 'the entry (0-4095)')
    .description("set a credential's status-list entry (signed by the issuing agency: --key)")
    .action(async (state: string, opts) => {
      const g = globals(opts);
      if (!['valid', 'suspended', 'revoked'].includes(state)) throw new UsageError('the state must be valid, suspended or revoked');
      const r = await submitSigned(g, createClient({ url: g.node }), 'services.set_credential_status', { list: String(opts.list), idx: statusIndex(String(opts.idx)), status: state });
      output(g, { txid: r.txid, list: String(opts.list), idx: Number(opts.idx), status: state }, `Entry ${opts.idx} of list ${opts.list} is now ${state} (txid ${r.txid})`);
    });
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
