// Property tests (fast-check) of the registries' invariants, on the real module state
// machines over an in-memory ledger (test/support/memory-ledger.ts):
// shares of a parcel always sum to exactly 1; a frozen or mortgaged parcel cannot move;
// no bid is readable before the deadline; a recalled batch's descendants are all recalled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toBase64Url, toHex } from '@govchain/core';
import { bidCommitment, normaliseHoldings, type BatchRecord, type ParcelRecord } from '@govchain/modules';
import { seededLedger } from './support/memory-ledger.js';

const DIGEST = '0'.repeat(64);
const RUNS = 150;

/** Independent exact sum of "n/d" shares (not the module's code). */
function sumIsOne(shares: string[]): boolean {
  let n = 0n;
  let d = 1n;
  for (const s of shares) {
    const [a, b] = s.split('/').map(BigInt) as [bigint, bigint];
    n = n * b + a * d;
    d = d * b;
  }
  return n === d;
}

test('property: the shares of a parcel always sum to exactly 1, whatever transfers are tried', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.record({ seller: fc.nat(5), buyer: fc.nat(5), num: fc.integer({ min: 1, max: 12 }), den: fc.integer({ min: 1, max: 12 }) }), { maxLength: 20 }),
      (weights, moves) => {
        const { ledger, registrar, persons } = seededLedger(6);
        const total = weights.reduce((a, b) => a + b, 0);
        const owners = weights.map((w, i) => ({ holder: persons[i]!, share: `${w}/${total}` }));
        assert.equal(ledger.run([registrar], 'land.register_parcel', { id: 'P', area: 100, landUse: 'agricultural', geometryDigest: DIGEST, owners }), 'ok');
        moves.forEach((m, i) => {
          const seller = persons[m.seller]!;
          const buyer = persons[m.buyer]!;
          const before = ledger.get('land', 'parcel/P') as unknown as ParcelRecord;
          const proposed = ledger.run([seller, buyer], 'land.propose_transfer', { id: `T${i}`, parcel: 'P', seller, buyer, share: `${m.num}/${m.den}`, price: 0 });
          const outcome = proposed === 'ok' ? ledger.run([registrar], 'land.approve_transfer', { transfer: `T${i}` }) : proposed;
          const after = ledger.get('land', 'parcel/P') as unknown as ParcelRecord;
          assert.ok(sumIsOne(after.owners.map((o) => o.share)), JSON.stringify(after.owners));
          assert.ok(after.owners.every((o) => !o.share.startsWith('0/') && !o.share.startsWith('-')));
          assert.equal(new Set(after.owners.map((o) => o.holder)).size, after.owners.length);
          if (outcome !== 'ok') assert.deepEqual(after.owners, before.owners);
          else if (seller !== buyer) assert.ok(after.owners.some((o) => o.holder === buyer));
        });
      },
    ),
    { numRuns: RUNS },
  );
});

test('property: holdings are accepted exactly when their shares sum to 1', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ n: fc.integer({ min: 1, max: 30 }), d: fc.integer({ min: 1, max: 30 }) }), { minLength: 1, maxLength: 6 }), (fracs) => {
      const owners = fracs.map((f, i) => ({ holder: `did:gov:t:p${i}`, share: `${f.n}/${f.d}` }));
      const expected = sumIsOne(owners.map((o) => o.share));
      let accepted = true;
      try {
        normaliseHoldings(owners);
      } catch {
        accepted = false;
      }
      assert.equal(accepted, expected);
    }),
    { numRuns: 500 },
  );
});

type LandOp = { kind: 'freeze' | 'unfreeze' | 'mortgage' | 'release' | 'propose' | 'approve' | 'subdivide'; pick: number };

test('property: a frozen or mortgaged parcel cannot move (no transfer, proposal or subdivision succeeds)', () => {
  let blockedTries = 0;
  let freeMoves = 0;
  const op = fc.record({ kind: fc.constantFrom<LandOp['kind']>('freeze', 'unfreeze', 'mortgage', 'release', 'propose', 'approve', 'subdivide'), pick: fc.nat(20) });
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
      const { ledger, registrar, persons, businesses } = seededLedger(4);
      const bank = businesses[0]!;
      assert.equal(ledger.run([registrar], 'land.register_bank', { bank, licence: DIGEST }), 'ok');
      assert.equal(ledger.run([registrar], 'land.register_parcel', { id: 'P', area: 100, landUse: 'residential', geometryDigest: DIGEST, owners: [{ holder: persons[0]!, share: '1/2' }, { holder: persons[1]!, share: '1/2' }] }), 'ok');
      const pending: string[] = [];
      let mortgages = 0;
      ops.forEach((o, i) => {
        const p = ledger.get('land', 'parcel/P') as unknown as ParcelRecord;
        const blocked = p.frozen !== undefined || p.mortgages.length > 0;
        const owners = p.owners.map((x) => x.holder);
        let outcome = 'skipped';
        let moves = false;
        switch (o.kind) {
          case 'freeze':
            outcome = ledger.run([registrar], 'land.freeze', { parcel: 'P', reason: DIGEST });
            break;
          case 'unfreeze':
            outcome = ledger.run([registrar], 'land.unfreeze', { parcel: 'P', reason: DIGEST });
            break;
          case 'mortgage':
            outcome = ledger.run([bank, ...owners], 'land.register_mortgage', { id: `M${mortgages++}`, parcel: 'P', amount: 1, contract: DIGEST });
            break;
          case 'release':
            if (p.mortgages.length > 0) outcome = ledger.run([bank], 'land.release_mortgage', { id: p.mortgages[o.pick % p.mortgages.length]! });
            break;
          case 'propose': {
            const seller = owners[o.pick % owners.length]!;
            const buyer = persons[(o.pick + 1) % persons.length]!;
            outcome = ledger.run([seller, buyer], 'land.propose_transfer', { id: `T${i}`, parcel: 'P', seller, buyer, share: '1/4', price: 0 });
            if (outcome === 'ok') pending.push(`T${i}`);
            moves = true;
            break;
          }
          case 'approve':
            if (pending.length > 0) outcome = ledger.run([registrar], 'land.approve_transfer', { transfer: pending[o.pick % pending.length]! });
            moves = true;
            break;
          case 'subdivide':
            outcome = ledger.run([registrar], 'land.subdivide', { parcel: 'P', parts: [{ id: `P-${i}-a`, area: 50, geometryDigest: DIGEST }, { id: `P-${i}-b`, area: 50, geometryDigest: DIGEST }] });
            moves = true;
            break;
        }
        const after = ledger.get('land', 'parcel/P') as unknown as ParcelRecord;
        if (blocked && moves && outcome !== 'skipped') {
          blockedTries++;
          assert.notEqual(outcome, 'ok', `${o.kind} succeeded on a ${p.frozen ? 'frozen' : 'mortgaged'} parcel`);
          assert.deepEqual(after.owners, p.owners);
          assert.equal(after.status, p.status);
        }
        if (!blocked && moves && outcome === 'ok') freeMoves++;
      });
    }),
    { numRuns: RUNS },
  );
  // Not vacuous: both blocked attempts and free moves happened.
  assert.ok(blockedTries > 0 && freeMoves > 0, `${blockedTries} blocked, ${freeMoves} free`);
});

test('property: before the deadline no bid (price, document, salt) is readable anywhere in state, and no reveal is accepted', () => {
  const bidArb = fc.record({ price: fc.integer({ min: 1, max: 2 ** 40 }), document: fc.uint8Array({ minLength: 32, maxLength: 32 }), salt: fc.uint8Array({ minLength: 16, maxLength: 32 }) });
  fc.assert(
    fc.property(fc.array(bidArb, { minLength: 1, maxLength: 5 }), (raw) => {
      const { ledger, procurement, businesses } = seededLedger(5);
      ledger.time = '2026-03-01T08:00:00.000Z';
      const tender = { id: 'TD', title: 't', documents: [DIGEST], criteria: [{ name: 'price', weight: 1 }], deadline: '2026-03-01T12:00:00.000Z', revealUntil: '2026-03-01T13:00:00.000Z', committee: [procurement] };
      assert.equal(ledger.run([procurement], 'procurement.publish_tender', tender), 'ok');
      const bids = raw.map((b, i) => ({ bidder: businesses[i]!, price: b.price, document: toHex(b.document), salt: toBase64Url(b.salt) }));
      for (const b of bids) {
        assert.equal(ledger.run([b.bidder], 'procurement.register_bidder', { tender: 'TD' }), 'ok');
        assert.equal(ledger.run([b.bidder], 'procurement.commit_bid', { tender: 'TD', commitment: bidCommitment({ tender: 'TD', ...b }) }), 'ok');
      }
      const text = ledger.entries().map((e) => e.text).join('\n');
      for (const b of bids) {
        assert.ok(!text.includes(b.document) && !text.includes(b.salt), 'bid content on the ledger before the deadline');
        const rec = ledger.get('procurement', `bid/TD/${b.bidder}`) as Record<string, unknown>;
        assert.deepEqual(Object.keys(rec).sort(), ['bidder', 'commitment', 'committed', 'status', 'tender']);
        assert.equal(ledger.run([b.bidder], 'procurement.reveal_bid', { tender: 'TD', price: b.price, document: b.document, salt: b.salt }), 'procurement.too_early');
      }
      assert.ok(!text.includes('"price":'));
      // After the deadline each bid opens with its own salt, and only with it.
      ledger.time = '2026-03-01T12:00:00.000Z';
      for (const b of bids) {
        assert.equal(ledger.run([b.bidder], 'procurement.reveal_bid', { tender: 'TD', price: b.price + 1, document: b.document, salt: b.salt }), 'procurement.bad_reveal');
        assert.equal(ledger.run([b.bidder], 'procurement.reveal_bid', { tender: 'TD', price: b.price, document: b.document, salt: b.salt }), 'ok');
      }
    }),
    { numRuns: RUNS },
  );
});

test("property: recalling a batch recalls every batch derived from it, directly or not, and nothing else", () => {
  const dag = fc.integer({ min: 2, max: 14 }).chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.array(fc.nat(n), { maxLength: 3 }), { minLength: n, maxLength: n }),
      fc.nat(n - 1),
      fc.nat(n - 1),
    ),
  );
  fc.assert(
    fc.property(dag, ([n, inputIdx, first, second]) => {
      const { ledger, businesses } = seededLedger(1);
      const producer = businesses[0]!;
      const parents: number[][] = [];
      for (let i = 0; i < n; i++) {
        const ins = [...new Set(inputIdx[i]!.filter((j) => j < i))];
        parents.push(ins);
        const inputs = ins.map((j) => ({ batch: `B${j}`, quantity: 1 }));
        assert.equal(ledger.run([producer], 'supply.create_batch', { id: `B${i}`, product: 'GTIN-1', quantity: 100, ...(inputs.length > 0 ? { inputs } : {}) }), 'ok');
      }
      // Descendants from the test's own model of the DAG.
      const descendants = (r: number): Set<number> => {
        const out = new Set<number>([r]);
        let grew = true;
        while (grew) {
          grew = false;
          for (let i = 0; i < n; i++) if (!out.has(i) && parents[i]!.some((p) => out.has(p))) (out.add(i), (grew = true));
        }
        return out;
      };
      const recalled = (): Set<number> => new Set(Array.from({ length: n }, (_, i) => i).filter((i) => (ledger.get('supply', `batch/B${i}`) as unknown as BatchRecord).recalled !== undefined));
      assert.equal(ledger.run([producer], 'supply.recall', { batch: `B${first}`, reason: DIGEST }), 'ok');
      assert.deepEqual([...recalled()].sort(), [...descendants(first)].sort());
      const expected = new Set([...descendants(first), ...descendants(second)]);
      const again = ledger.run([producer], 'supply.recall', { batch: `B${second}`, reason: DIGEST });
      assert.equal(again, descendants(first).has(second) ? 'supply.recalled' : 'ok');
      assert.deepEqual([...recalled()].sort(), [...expected].sort());
    }),
    { numRuns: RUNS },
  );
});
