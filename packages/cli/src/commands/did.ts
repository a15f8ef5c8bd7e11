/**
 * `govchain did show|rotate` and `govchain governance propose|approve`: the identity layer
 * from the command line (docs/did-gov.md). Every change is a signed transaction.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  generateKeyPair,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toBase64Url,
  verifyCheckpointNote,
  verifySmtProof,
  type JsonValue,
} from '@govchain/core';
import { writeKeyFile } from '@govchain/node';
import { createClient, type GovchainClient } from '@govchain/sdk';
import { globals, output, signingKey, submitSigned, UsageError, VerificationFailure, type GlobalOptions } from '../context.js';

async function submitAs(g: GlobalOptions, client: GovchainClient, type: string, payload: Record<string, JsonValue>): Promise<{ txid: string }> {
  return { txid: (await submitSigned(g, client, type, payload)).txid };
}

export function registerDid(program: Command, withGlobals: (c: Command) => Command): void {
  const did = program.command('did').description('resolve and manage ledger identities (did:gov)');
  withGlobals(did.command('show'))
    .argument('<did>', 'the DID to resolve')
    .option('--proof', 'verify its record against the latest certified checkpoint')
    .description('print a DID document and its key history')
    .action(async (id: string, opts) => {
      const g = globals(opts);
      const client = createClient({ url: g.node });
      const res = await client.did(id, opts.proof === true);
      let verified = false;
      if (opts.proof === true && res.stateKey !== undefined) {
        const v = await client.validators();
        const { checkpoint } = verifyCheckpointNote(res.checkpoint!, v.vkeys, v.quorum);
        const record = (await client.state(res.stateKey.module, res.stateKey.key)).value;
        if (!verifySmtProof(checkpoint.stateRoot, stateMapKey(res.stateKey.module, res.stateKey.key), stateValueHash(record as JsonValue), smtProofFromJson(res.proof))) {
          throw new VerificationFailure(`the record of ${id} does not match the certified state root`);
        }
        verified = true;
      }
      const m = res.didDocumentMetadata;
      const lines = [`${id} (${String(m.kind ?? m.method)})`];
      for (const h of m.keyHistory ?? []) lines.push(`  ${h.id}  added at ${h.added}${h.revoked !== undefined ? `, ${h.revokedReason} at ${h.revoked}` : ', active'}`);
      if (Array.isArray(m.roles) && m.roles.length > 0) lines.push(`  roles: ${(m.roles as string[]).join(', ')}`);
      if (opts.proof === true) lines.push(verified ? '  verified against the latest certified checkpoint' : '  (did:key: nothing on the ledger to verify)');
      output(g, { ...res, verified }, lines.join('\n'));
    });
  withGlobals(did.command('rotate'))
    .requiredOption('--out <file>', 'where to write the new key (mode 0600)')
    .description('replace the signing key (--key) of a did:gov identity by a new one')
    .action(async (opts) => {
      const g = globals(opts);
      const key = signingKey(g);
      if (!key.did.startsWith('did:gov:')) throw new UsageError('only did:gov identities can rotate keys (did:key is fixed)');
      const client = createClient({ url: g.node });
      const pair = generateKeyPair();
      const { txid } = await submitAs(g, client, 'identity.rotate_key', { keyId: key.kid.split('#')[1]!, publicKey: toBase64Url(pair.publicKey) });
      const doc = await client.did(key.did);
      const newest = doc.didDocument.verificationMethod.at(-1)!.id;
      writeKeyFile(opts.out, { ...pair, did: key.did, kid: newest });
      output(g, { txid, did: key.did, kid: newest, keyFile: opts.out }, `Rotated ${key.kid} -> ${newest}\n  txid: ${txid}\n  new key file: ${opts.out} (the old key no longer signs)`);
    });

  const gov = program.command('governance').description('proposals among member agencies');
  withGlobals(gov.command('propose'))
    .requiredOption('--action <json>', 'the action as JSON, e.g. {"type":"add_validator","name":"v5","publicKey":"<base64>"}, or @FILE')
    .requiredOption('--deadline <time>', 'RFC 3339 time after which approvals no longer count')
    .option('--description <text>', 'why')
    .description('propose a change (signed by an agency key: --key)')
    .action(async (opts) => {
      const g = globals(opts);
      let action: JsonValue;
      try {
        action = JSON.parse(String(opts.action).startsWith('@') ? readFileSync(String(opts.action).slice(1), 'utf8') : String(opts.action)) as JsonValue;
      } catch (e) {
        throw new UsageError(`--action is not JSON: ${(e as Error).message}`);
      }
      const payload: Record<string, JsonValue> = { action, deadline: String(opts.deadline) };
      if (opts.description !== undefined) payload.description = String(opts.description);
      const { txid } = await submitAs(g, createClient({ url: g.node }), 'governance.propose', payload);
      output(g, { proposal: txid }, `Proposal ${txid}\n  other agencies approve it with: govchain governance approve ${txid} --key <agency key>`);
    });
  withGlobals(gov.command('approve'))
    .argument('<proposal>', 'proposal id (the txid of its proposal)')
    .description('approve a proposal (signed by an agency key: --key)')
    .action(async (id: string, opts) => {
      const g = globals(opts);
      const client = createClient({ url: g.node });
      const { txid } = await submitAs(g, client, 'governance.approve', { proposal: id });
      const p = (await client.state('governance', `proposal/${id}`)).value as { status: string; approvals: string[] };
      output(g, { txid, proposal: id, status: p.status, approvals: p.approvals.length }, `Approved ${id}: ${p.approvals.length} approval(s), ${p.status}`);
    });
}
