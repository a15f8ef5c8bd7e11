/**
 * Registering the demo cast: the signed transactions of demo/bootstrap.json, submitted in
 * phases through the ordinary admission path (phase 2 is signed by an officer that phase 1
 * registers). Idempotent: committed transactions are skipped, so a restart resumes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GovchainError, computeTxid, type TxEnvelope } from '@govchain/core';
import { dataPaths } from './datadir.js';
import type { GovchainNode } from './node.js';

/** Submit the demo registrations that are not yet committed; resolves when all are. */
export async function bootstrapDemo(node: GovchainNode, dataDir: string): Promise<{ submitted: number; failed: number }> {
  const path = join(dataPaths(dataDir).demo, 'bootstrap.json');
  if (!existsSync(path)) return { submitted: 0, failed: 0 };
  const { phases } = JSON.parse(readFileSync(path, 'utf8')) as { phases: TxEnvelope[][] };
  let submitted = 0;
  let failed = 0;
  for (const phase of phases) {
    const waits: Array<Promise<unknown>> = [];
    for (const env of phase) {
      const txid = computeTxid(env.body);
      if (node.getTx(txid) !== undefined) continue;
      try {
        await node.submit(JSON.stringify(env));
      } catch (e) {
        if (!(e instanceof GovchainError && e.code === 'tx.duplicate')) throw e;
      }
      submitted++;
      waits.push(node.waitForCommit(txid, 60_000).then((r) => void (r.status === 'failed' && failed++)));
    }
    await Promise.all(waits);
  }
  return { submitted, failed };
}
