/** `govchain audit`: re-check the whole local chain from genesis. */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ChainStore, dataPaths, readGenesis, verifyStore } from '@govchain/node';
import { globals, output, UsageError, VerificationFailure } from '../context.js';

export function registerAudit(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('audit'))
    .description('re-verify every hash, root, signature and state transition from genesis (exit 1 naming the first bad height)')
    .action(async (opts) => {
      const g = globals(opts);
      const p = dataPaths(g.data);
      if (!existsSync(p.genesis)) throw new UsageError(`no chain in ${g.data}`);
      const genesis = readGenesis(p.genesis);
      const store = ChainStore.open(p.db);
      try {
        const r = verifyStore(store, genesis, { mode: 'full' });
        if (!r.ok) {
          if (g.json) process.stdout.write(JSON.stringify(r) + '\n');
          throw new VerificationFailure(`audit failed at height ${r.badHeight}: ${r.reason}`);
        }
        output(g, r, `chain ${genesis.chainId} intact: ${r.height} blocks, ${r.transactions} transactions, ${r.checkpointsVerified} checkpoints re-verified in ${r.seconds.toFixed(2)} s`);
      } finally {
        await store.close();
      }
    });
}
