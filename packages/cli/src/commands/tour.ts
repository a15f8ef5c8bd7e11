/**
 * `govchain tour`: a guided walk through the demo network (`npm start`) for a newcomer.
 * Each step says what it does, does it against the running node with the demo identities
 * of the data folder, shows the result and the equivalent commands to try by hand.
 * Interactive (Enter between steps) on a terminal; `--yes` or `--json` run straight through.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { randomBytes, sha256, toHex, utf8, type JsonValue, type Receipt } from '@govchain/core';
import { createClient, fetchProofBundle, verifyProofBundle, type GovchainClient } from '@govchain/sdk';
import { issueCredential, presentCredential, encodeCredentialQr } from '@govchain/sdk/credentials';
import { ChainStore, dataPaths, readDemoIdentities, readGenesis, readKeyFile, verifyStore, type LoadedKey } from '@govchain/node';
import { globals, output, submitSigned, UsageError, VerificationFailure, type GlobalOptions } from '../context.js';

/** One step of the tour, as reported. */
export interface TourStep {
  id: string;
  title: string;
  /** What the step does, for a newcomer. */
  explain: string;
  /** What happened (figures, ids). */
  result: { [key: string]: JsonValue };
  /** Commands that do the same by hand. */
  commands: string[];
}

interface TourContext {
  g: GlobalOptions;
  client: GovchainClient;
  chainId: string;
  who: (name: string) => { key: LoadedKey; keyFile: string };
  /** Values steps hand to later steps. */
  carry: Map<string, string>;
}

const VCT = 'urn:govchain:vct:tour-certificate';

const signed = (t: TourContext, key: LoadedKey, type: string, payload: Record<string, JsonValue>): Promise<Receipt> => submitSigned(t.g, t.client, type, payload, key);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type StepDef = Omit<TourStep, 'result'> & { run: (t: TourContext) => Promise<TourStep['result']> };

const STEPS: StepDef[] = [
  {
    id: 'status',
    title: 'The network',
    explain: 'Every node keeps the same ledger: blocks of signed transactions, a transaction log and a state map whose roots the validators sign in checkpoints.',
    commands: ['npx govchain status', 'curl -s http://127.0.0.1:8080/v1/validators'],
    async run(t) {
      const s = await t.client.status();
      const v = await t.client.validators();
      return { chainId: s.chainId, height: s.height, transactions: s.logSize, validators: v.vkeys.length, quorum: v.quorum };
    },
  },
  {
    id: 'notarise',
    title: 'Notarise a document and verify it offline',
    explain: "Only the document's SHA-256 goes on the ledger. The proof bundle (receipt, inclusion proof, signed checkpoint) verifies anywhere, without the node.",
    commands: ['echo "hello" > some.pdf', 'npx govchain notarize some.pdf', 'npx govchain proof verify some.pdf.govproof.json --file some.pdf'],
    async run(t) {
      const dir = mkdtempSync(join(tmpdir(), 'govchain-tour-'));
      const file = join(dir, 'decision.txt');
      const text = `Decision ${toHex(randomBytes(4))} of the People's Committee (govchain tour)\n`;
      writeFileSync(file, text);
      const digest = toHex(sha256(utf8(text)));
      const citizen = t.who('citizen-an').key;
      const r = await signed(t, citizen, 'notary.anchor', { digest, label: 'govchain tour' });
      const bundle = await fetchProofBundle(t.client, r.txid, { file: { name: 'decision.txt', sha256: digest } });
      writeFileSync(`${file}.govproof.json`, JSON.stringify(bundle, null, 2) + '\n');
      const v = verifyProofBundle(bundle, { fileDigest: digest, trustedVkeys: (await t.client.validators()).vkeys });
      return { file, bundle: `${file}.govproof.json`, digest, txid: r.txid, height: v.height, signers: v.signers.length, verified: true };
    },
  },
  {
    id: 'did',
    title: 'Resolve a DID',
    explain: 'Citizens, officers and agencies have did:gov identities on the ledger. The DID document and its key history come with the state proof of their record and the certified checkpoint (govchain did show --proof checks both); personal data stays off the ledger (only salted commitments).',
    commands: ['npx govchain did show <did> --proof', 'curl -s "http://127.0.0.1:8080/v1/dids/<did>?proof=1"'],
    async run(t) {
      const did = t.who('citizen-an').key.did;
      const d = (await t.client.did(did, true)) as unknown as { didDocument: { verificationMethod?: unknown[] }; didDocumentMetadata: { kind: string; keyHistory: unknown[] }; stateKey: string; checkpoint?: string };
      return { did, kind: d.didDocumentMetadata.kind, activeKeys: d.didDocument.verificationMethod?.length ?? 0, keyHistory: d.didDocumentMetadata.keyHistory.length, stateKey: d.stateKey, provenAgainstCheckpoint: typeof d.checkpoint === 'string' };
    },
  },
  {
    id: 'service',
    title: 'A citizen applies for a service; an officer approves',
    explain: 'The land office publishes a service (services.define_service). Citizen An applies with the digest of a document (services.submit); officer Minh, who holds the service_officer role, accepts and approves. Every step is a signed transaction checked against on-chain roles.',
    commands: [
      'npx govchain tx submit service.json --key .govchain/demo/keys/agency-land.key      # {"type":"services.define_service",...}',
      'npx govchain tx submit apply.json                                                  # services.submit, as the first citizen',
      'npx govchain tx submit accept.json --key .govchain/demo/keys/officer-land-minh.key # services.accept, then services.approve',
      'curl -s http://127.0.0.1:8080/v1/applications/<id>',
    ],
    async run(t) {
      const land = t.who('agency-land').key;
      const minh = t.who('officer-land-minh').key;
      const an = t.who('citizen-an').key;
      await signed(t, land, 'services.define_service', {
        id: 'tour-certificate',
        name: 'Certificate of land use (tour)',
        steps: [{ name: 'review', role: 'service_officer', kind: 'review' }],
        documents: [{ name: 'request' }],
        fee: 0,
        timeLimitDays: 15,
        credential: VCT,
      });
      const submitted = await signed(t, an, 'services.submit', { agency: land.did, service: 'tour-certificate', documents: { request: toHex(sha256(utf8(`request ${toHex(randomBytes(8))}`))) } });
      const application = submitted.txid;
      await signed(t, minh, 'services.accept', { application });
      await signed(t, minh, 'services.approve', { application });
      t.carry.set('application', application);
      const a = (await (await fetch(`${t.g.node}/v1/applications/${application}`)).json()) as { status: string };
      return { service: 'tour-certificate', application, status: a.status };
    },
  },
  {
    id: 'credential',
    title: 'A credential issued and verified',
    explain: 'The agency issues an SD-JWT verifiable credential off the ledger and records only its digest and a status-list entry. The holder shows only the claims they choose (as a QR payload); anyone verifies it, online or offline.',
    commands: ['npx govchain vc verify \'GCVC1:eyJ...\'', 'npx govchain vc snapshot --out vc-trust.json && npx govchain vc verify \'GCVC1:eyJ...\' --snapshot vc-trust.json'],
    async run(t) {
      const land = t.who('agency-land').key;
      const an = t.who('citizen-an').key;
      const application = t.carry.get('application')!;
      const idx = randomBytes(2).reduce((a, b) => a * 256 + b, 0) % 4096;
      const { sdJwt, digest } = await issueCredential({
        issuer: land,
        vct: VCT,
        subject: an.did,
        claims: { certificate: `TOUR-${application.slice(0, 8)}`, parcel: '42', holderName: 'Nguyen Van An' },
        disclosable: ['certificate', 'parcel', 'holderName'],
        status: { list: 'tour', idx },
        application,
      });
      await signed(t, land, 'services.issue_credential', { application, digest, list: 'tour', idx });
      const qr = encodeCredentialQr(await presentCredential(sdJwt, ['certificate', 'parcel']));
      // Online verification reads certified state: wait for the checkpoint to cover it.
      for (let i = 0; ; i++) {
        const res = await fetch(`${t.g.node}/v1/credentials/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ presentation: qr }) });
        const v = (await res.json()) as { valid?: boolean; reason?: string; claims?: { [k: string]: JsonValue } };
        if (v.valid === true) return { digest, qr: `${qr.slice(0, 24)}…`, valid: true, disclosed: Object.keys(v.claims ?? {}).filter((k) => ['certificate', 'parcel', 'holderName'].includes(k)) };
        if (i >= 40) throw new VerificationFailure(`the credential did not verify: ${v.reason ?? res.status}`);
        await sleep(250);
      }
    },
  },
  {
    id: 'audit',
    title: 'Accountability and the audit',
    explain: "Anyone reads each agency's figures (applications, processing times, overdue cases; no personal data). The audit re-executes the whole chain from genesis and checks every hash, root, signature and state transition.",
    commands: ['curl -s http://127.0.0.1:8080/v1/accountability', 'npx govchain audit'],
    async run(t) {
      const land = t.who('agency-land').key;
      const acc = (await (await fetch(`${t.g.node}/v1/accountability?agency=${encodeURIComponent(land.did)}&service=tour-certificate`)).json()) as JsonValue;
      const genesis = readGenesis(dataPaths(t.g.data).genesis);
      const store = ChainStore.open(dataPaths(t.g.data).db, { readOnly: true });
      try {
        const r = verifyStore(store, genesis, { mode: 'full' });
        if (!r.ok) throw new VerificationFailure(`audit failed at height ${r.badHeight}: ${r.reason}`);
        return { accountability: acc, audit: { ok: true, blocks: r.height, transactions: r.transactions, checkpoints: r.checkpointsVerified } };
      } finally {
        await store.close();
      }
    },
  },
];

function printStep(i: number, s: TourStep): void {
  const lines = [`\n== ${i + 1}/${STEPS.length} ${s.title} ==`, s.explain, '', 'Result:'];
  for (const [k, v] of Object.entries(s.result)) lines.push(`  ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  lines.push('', 'Try it yourself:', ...s.commands.map((c) => `  $ ${c}`));
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerTour(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('tour'))
    .description('a guided tour of the demo network (npm start): notarise, DIDs, a service application, a credential, the audit')
    .option('--yes', 'run every step without waiting for Enter (also when stdin is not a terminal)')
    .option('--only <ids>', `comma-separated steps (${STEPS.map((s) => s.id).join(', ')})`)
    .action(async (opts) => {
      const g = globals(opts);
      const ids = readDemoIdentities(g.data);
      if (ids.length === 0) throw new UsageError(`no demo identities in ${g.data}: the tour runs on the demo network (npm start, or govchain init --demo)`);
      const who = (name: string): { key: LoadedKey; keyFile: string } => {
        const i = ids.find((x) => x.name === name);
        if (i === undefined) throw new UsageError(`demo identity ${name} not found in ${dataPaths(g.data).identities}`);
        return { key: readKeyFile(i.keyFile), keyFile: i.keyFile };
      };
      const client = createClient({ url: g.node });
      let chainId: string;
      try {
        chainId = (await client.status()).chainId;
      } catch (e) {
        throw new UsageError(`no node at ${g.node} (${(e as Error).message}): start it with "npm start" in another terminal`);
      }
      const only = opts.only === undefined ? undefined : new Set(String(opts.only).split(','));
      const steps = STEPS.filter((s) => only === undefined || only.has(s.id) || (s.id === 'service' && only.has('credential')));
      const interactive = !g.json && opts.yes !== true && process.stdin.isTTY === true;
      const rl = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : undefined;
      const t: TourContext = { g, client, chainId, who, carry: new Map() };
      const done: TourStep[] = [];
      try {
        if (!g.json) process.stdout.write(`A tour of ${chainId} at ${g.node}: ${steps.length} steps.${interactive ? ' Press Enter to start each one.' : ''}\n`);
        for (const [i, s] of steps.entries()) {
          if (rl !== undefined) await rl.question(`\n[Enter] ${s.title}`);
          const step: TourStep = { id: s.id, title: s.title, explain: s.explain, commands: s.commands, result: await s.run(t) };
          done.push(step);
          if (!g.json) printStep(i, step);
        }
      } finally {
        rl?.close();
      }
      output(g, { chainId, node: g.node, steps: done }, `\nTour complete: ${done.length} steps. More in README.md ("Try it") and docs/guide/.`);
    });
}
