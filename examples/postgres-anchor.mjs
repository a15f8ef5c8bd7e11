#!/usr/bin/env node
// Hybrid anchoring of a PostgreSQL table: the rows stay in the agency's database; one
// govchain transaction commits the Merkle root of their digests, and each row's proof is
// kept next to it. Later, anyone holding the row can prove it unchanged since the anchor.
//
//   DATABASE_URL=postgres://... GOVCHAIN_NODE=... GOVCHAIN_KEY=agency.key GOVCHAIN_TRUST=trust.json
//   node examples/postgres-anchor.mjs anchor land_titles      # anchor every row
//   node examples/postgres-anchor.mjs prove land_titles 42    # exit 0 VALID, 1 INVALID
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { createGovchain, recordBundle, recordDigest, verifyProofBundle } from '@govchain/sdk';
import { createKeyFileSigner } from '@govchain/sdk/node';

const [command, table, id] = process.argv.slice(2);
if (!['anchor', 'prove'].includes(command) || !/^[a-z_][a-z0-9_]*$/.test(table ?? '')) {
  console.error('usage: postgres-anchor.mjs anchor TABLE | prove TABLE ID');
  process.exit(2);
}
const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
await db.connect();

/** The canonical form of a row: every column, values JSON can hold exactly (text for the rest). */
const canonicalRow = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === 'bigint' ? v.toString() : v]));

try {
  await db.query(`CREATE TABLE IF NOT EXISTS govchain_batches (txid text PRIMARY KEY, table_name text NOT NULL, root text NOT NULL, bundle jsonb NOT NULL, anchored_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(`CREATE TABLE IF NOT EXISTS govchain_row_proofs (table_name text, row_id text, digest text NOT NULL, txid text NOT NULL REFERENCES govchain_batches, proof jsonb NOT NULL, PRIMARY KEY (table_name, row_id))`);
  if (command === 'anchor') {
    // id::text so that the key and digest do not depend on the driver's integer mapping.
    const { rows } = await db.query(`SELECT * FROM ${table} ORDER BY id`);
    const digests = rows.map((r) => recordDigest(canonicalRow(r)));
    const sdk = createGovchain({ url: process.env.GOVCHAIN_NODE, signer: createKeyFileSigner(process.env.GOVCHAIN_KEY) });
    const batch = await sdk.notary.anchorBatch({ digests, label: `${table} snapshot` });
    await db.query('BEGIN');
    await db.query('INSERT INTO govchain_batches (txid, table_name, root, bundle) VALUES ($1, $2, $3, $4)', [batch.txid, table, batch.root, batch.bundle]);
    for (let i = 0; i < rows.length; i++) {
      await db.query(
        'INSERT INTO govchain_row_proofs (table_name, row_id, digest, txid, proof) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (table_name, row_id) DO UPDATE SET digest = EXCLUDED.digest, txid = EXCLUDED.txid, proof = EXCLUDED.proof',
        [table, String(rows[i].id), digests[i], batch.txid, batch.proof(i)],
      );
    }
    await db.query('COMMIT');
    console.log(JSON.stringify({ table, rows: rows.length, txid: batch.txid, root: batch.root }));
  } else {
    const row = (await db.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0];
    const saved = (await db.query('SELECT p.proof, b.bundle FROM govchain_row_proofs p JOIN govchain_batches b USING (txid) WHERE p.table_name = $1 AND p.row_id = $2', [table, String(id)])).rows[0];
    if (row === undefined || saved === undefined) {
      console.log(`INVALID: no row or no proof for ${table} id ${id}`);
      process.exitCode = 1;
    } else {
      const trust = JSON.parse(readFileSync(process.env.GOVCHAIN_TRUST, 'utf8'));
      try {
        // The digest of the row as it is NOW must be the one the ledger committed to.
        const v = verifyProofBundle(recordBundle(saved.bundle, saved.proof), { trustedVkeys: trust.vkeys, fileDigest: recordDigest(canonicalRow(row)) });
        console.log(`VALID: ${table} id ${id} is unchanged since block ${v.height} (record ${v.batch.index} of ${v.batch.count}, checkpoint ${v.checkpointTime})`);
      } catch (e) {
        console.log(`INVALID: ${e.message}`);
        process.exitCode = 1;
      }
    }
  }
} finally {
  await db.end();
}
