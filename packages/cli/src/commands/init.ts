/** `govchain init`: create a data folder with genesis, validator keys and (--demo) a demo cast. */
import type { Command } from 'commander';
import { initDataDir, initNetworkDirs } from '@govchain/node';
import { globals, output, UsageError } from '../context.js';

export function registerInit(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('init'))
    .description('create a new chain in the data folder')
    .option('--validators <n>', 'number of validator keys to create', '1')
    .option('--demo', 'also create the demo agencies, officers, citizens and businesses')
    .option('--chain-id <id>', 'chain id (default govchain-dev with --demo, else govchain)')
    .option('--split', 'multi-node network: one data folder per validator (one key each) and per observer, inside --data')
    .option('--observers <n>', 'with --split: number of observer (non-signing) nodes', '0')
    .action((opts) => {
      const g = globals(opts);
      const n = Number(opts.validators);
      if (!Number.isInteger(n) || n < 1 || n > 100) throw new UsageError('--validators must be an integer from 1 to 100');
      if (opts.split) {
        const observers = Number(opts.observers);
        if (!Number.isInteger(observers) || observers < 0 || observers > 100) throw new UsageError('--observers must be an integer from 0 to 100');
        const r = initNetworkDirs({ dir: g.data, validators: n, observers, demo: opts.demo === true, ...(opts.chainId === undefined ? {} : { chainId: opts.chainId }) });
        output(
          g,
          { chainId: r.genesis.chainId, data: g.data, nodes: r.nodes.map((x) => ({ name: x.name, dir: x.dir, validator: x.validator ?? null })) },
          `Initialised network ${r.genesis.chainId} in ${g.data}: ` + r.nodes.map((x) => `${x.name}${x.validator === undefined ? ' (observer)' : ''}`).join(', '),
        );
        return;
      }
      if (opts.observers !== '0') throw new UsageError('--observers needs --split');
      const { genesis, identities } = initDataDir({ dir: g.data, validators: n, demo: opts.demo === true, ...(opts.chainId === undefined ? {} : { chainId: opts.chainId }) });
      output(
        g,
        { chainId: genesis.chainId, data: g.data, validators: genesis.validators.map((v) => v.name), identities: identities.length },
        `Initialised chain ${genesis.chainId} in ${g.data} with ${genesis.validators.length} validator(s)` + (identities.length > 0 ? ` and ${identities.length} demo identities (demo/identities.json)` : ''),
      );
    });
}
