/** `govchain export --out DIR`: the chain in documented, versioned formats (docs/formats.md). */
import type { Command } from 'commander';
import { exportChain } from '@govchain/node';
import { globals, output, UsageError } from '../context.js';

export function registerExport(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('export'))
    .description('write blocks, receipts, checkpoints and proofs for other systems (docs/formats.md)')
    .option('--out <dir>', 'a new or empty folder')
    .action(async (opts) => {
      const g = globals(opts);
      if (opts.out === undefined) throw new UsageError('--out <dir> is required');
      const m = await exportChain(g.data, opts.out);
      output(g, { out: opts.out, ...m }, `Exported ${m.chainId}: ${m.height} blocks, ${m.logSize} log leaves, proofs against checkpoint size ${m.certifiedSize}\n  to ${opts.out} (format ${m.format} v${m.version}; see docs/formats.md)`);
    });
}
