// Fuzz: the notary module's payload schema and its state transition, run through the
// real `executeBlock` over an in-memory chain. Random payloads are refused with
// `tx.invalid_payload` only; random anchor sequences keep "the first anchor stands",
// never raise an unexpected error, and execute deterministically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  MemoryLogStore,
  computeTxid,
  didKeyFromPublicKey,
  didKeyKid,
  keyPairFromSeed,
  type JsonValue,
  type TxBody,
} from '@govchain/core';
import { createModuleRegistry, defaultModules } from '@govchain/modules';
import { executeBlock, type ChainHead, type ChainView, type ExecutableTx, type ExecutedBlock } from '@govchain/node';
import { MapSmtStore, fuzz, jsonMutation, mutateJson, refusesCleanly } from './support.js';

const registry = createModuleRegistry(defaultModules);
const CHAIN = 'govchain-fuzz';
const signerKeys = [1, 2, 3].map((n) => keyPairFromSeed(new Uint8Array(32).fill(n)).publicKey);
const signers = signerKeys.map(didKeyFromPublicKey);
const kids = signerKeys.map(didKeyKid);
const digests = [1, 2, 3, 4].map((n) => n.toString(16).padStart(2, '0').repeat(32));

test('fuzz: notary.anchor payload schema refuses random and mutated payloads with tx.invalid_payload', async () => {
  const valid = { digest: digests[0]!, label: 'deed of sale', mediaType: 'application/pdf' };
  await fuzz(
    'notary.payload(random and mutated)',
    fc.property(fc.oneof(fc.jsonValue(), fc.array(jsonMutation, { minLength: 1, maxLength: 3 }).map((m) => mutateJson(valid, m))), (payload) => {
      const ok = refusesCleanly(() => registry.validatePayload('notary.anchor', payload), ['tx.invalid_payload']);
      if (ok !== undefined) {
        // Whatever passes has exactly the documented shape.
        const p = payload as Record<string, unknown>;
        assert.match(String(p.digest), /^[0-9a-f]{64}$/);
        for (const k of Object.keys(p)) assert.ok(['digest', 'label', 'mediaType'].includes(k));
      }
    }),
  );
});

const allTypes = registry.modules.flatMap((m) => Object.keys(m.txTypes).map((a) => `${m.name}.${a}`));

test('fuzz: every module\'s payload schemas refuse random payloads with tx.invalid_payload only', async () => {
  await fuzz(
    'modules.payload(random, every tx type)',
    fc.property(fc.constantFrom(...allTypes), fc.oneof(fc.jsonValue(), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }))), (type, payload) => {
      refusesCleanly(() => registry.validatePayload(type, payload), ['tx.invalid_payload']);
    }),
  );
});

test('fuzz: unknown transaction types are refused with tx.unknown_type', async () => {
  await fuzz(
    'notary.type(random)',
    fc.property(fc.string({ maxLength: 40 }), (type) => {
      const t = refusesCleanly(() => registry.txType(type), ['tx.unknown_type']);
      if (t !== undefined) assert.ok(allTypes.includes(type));
    }),
  );
});

/** A chain in memory that applies executed blocks, as the node's store would. */
function memoryChain(): { view: ChainView; apply(b: ExecutedBlock): void } {
  const log = new MemoryLogStore();
  const smt = new MapSmtStore();
  const state = new Map<string, string>();
  const committed = new Set<string>();
  let head: ChainHead | undefined;
  return {
    view: {
      chainId: CHAIN,
      head: () => head,
      isCommitted: (txid) => committed.has(txid),
      stateValue: (m, k) => {
        const t = state.get(`${m}\u0000${k}`);
        return t === undefined ? undefined : (JSON.parse(t) as JsonValue);
      },
      logReader: log,
      smtReader: smt,
    },
    apply(b) {
      log.apply(b.logNodes);
      smt.put(b.smtNodes);
      for (const [k, v] of b.stateWrites) if (v === null) state.delete(k);
      else state.set(k, v.text);
      for (const t of b.txids) committed.add(t);
      head = { height: b.header.height, blockHash: b.blockHash, logSize: b.header.logSize, logRoot: b.header.logRoot, stateRoot: b.header.stateRoot, time: b.header.time };
    },
  };
}

const anchorOp = fc.record({ signer: fc.integer({ min: 0, max: 2 }), digest: fc.integer({ min: 0, max: 3 }), nonce: fc.nat(5), label: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }) });

function tx(op: { signer: number; digest: number; nonce: number; label: string | undefined }): ExecutableTx {
  const payload: TxBody['payload'] = { digest: digests[op.digest]! };
  if (op.label !== undefined) payload.label = op.label;
  const body: TxBody = { chain: CHAIN, type: 'notary.anchor', signer: signers[op.signer]!, nonce: String(op.nonce), payload };
  // Signatures were checked before ordering (the stateless checks); did:key signers need
  // no ledger key, so execution does not look at them again.
  const signatures = [{ kid: kids[op.signer]!, sig: '' }];
  return { txid: computeTxid(body), envelope: JSON.stringify({ body, signatures }), body, signers: [body.signer], signatures, keys: [null] };
}

test('fuzz: notary state transition: the first anchor of a digest stands, every tx gets one receipt', async () => {
  await fuzz(
    'notary.apply(block sequences)',
    fc.property(fc.array(fc.array(anchorOp, { maxLength: 6 }), { minLength: 1, maxLength: 3 }), (blocks) => {
      const chain = memoryChain();
      const first = new Map<string, { by: string; txid: string }>();
      const seen = new Set<string>();
      blocks.forEach((ops, i) => {
        const txs = ops.map(tx);
        const time = new Date(Date.UTC(2030, 0, 1, 0, 0, i)).toISOString();
        const b = executeBlock(chain.view, registry, i + 1, time, txs);
        // Deterministic: executing the same block on the same chain again gives the same
        // header (checked on the last block of each case, to keep the case count high).
        if (i === blocks.length - 1) assert.deepEqual(executeBlock(chain.view, registry, i + 1, time, txs).header, b.header);
        assert.deepEqual(b.faults, []);
        const fresh = txs.filter((t, j) => !seen.has(t.txid) && txs.findIndex((u) => u.txid === t.txid) === j);
        assert.deepEqual(b.txids, fresh.map((t) => t.txid));
        b.receipts.forEach((r, j) => {
          const t = fresh[j]!;
          const d = t.body.payload.digest as string;
          if (first.has(d)) assert.deepEqual([r.status, r.code], ['failed', 'notary.already_anchored']);
          else {
            assert.equal(r.status, 'ok');
            first.set(d, { by: t.body.signer, txid: t.txid });
          }
          seen.add(t.txid);
        });
        chain.apply(b);
      });
      for (const [d, f] of first) {
        const rec = chain.view.stateValue('notary', d) as { by: string; txid: string };
        assert.equal(rec.by, f.by);
        assert.equal(rec.txid, f.txid);
      }
      for (const d of digests) if (!first.has(d)) assert.equal(chain.view.stateValue('notary', d), undefined);
    }),
  );
});
