/** `govchain backup DEST` and `govchain restore SRC`: consistent copies of a node's data folder. */
import type { Command } from 'commander';
import { GovchainError } from '@govchain/core';
import { backupDataDir, restoreDataDir } from '@govchain/node';
import { globals, output, VerificationFailure } from '../context.js';

export function registerBackup(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('backup'))
    .description('copy the data folder (chain store, genesis, keys) to DEST, consistently, even while the node runs')
    .argument('<dest>', 'a new or empty folder')
    .option('--compact', 'compact the database while copying (slower, smaller)')
    .action(async (dest: string, opts) => {
      const g = globals(opts);
      const m = await backupDataDir({ dataDir: g.data, dest, compact: opts.compact === true });
      const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
      output(
        g,
        { dest, chainId: m.chainId, height: m.height, logSize: m.logSize, stateRoot: m.stateRoot, files: m.files.length, bytes },
        `backed up chain ${m.chainId} at height ${m.height} (${m.logSize} transactions, ${m.files.length} files, ${bytes} bytes) to ${dest}\nit holds validator keys: keep it as safe as the data folder`,
      );
    });

  withGlobals(program.command('restore'))
    .description('restore a backup into a new data folder (--data), check every file and audit the chain from genesis (exit 1 if it fails)')
    .argument('<src>', 'a folder written by "govchain backup"')
    .option('--no-audit', 'skip the full audit (not recommended)')
    .action(async (src: string, opts) => {
      const g = globals(opts);
      try {
        const r = await restoreDataDir({ src, dataDir: g.data, audit: opts.audit !== false });
        output(
          g,
          { data: g.data, chainId: r.manifest.chainId, height: r.manifest.height, logSize: r.manifest.logSize, audited: r.audit !== undefined, ...(r.audit === undefined ? {} : { auditSeconds: r.audit.seconds }) },
          `restored chain ${r.manifest.chainId} at height ${r.manifest.height} into ${g.data}` + (r.audit === undefined ? ' (not audited)' : `; audit passed (${r.audit.transactions} transactions, ${r.audit.checkpointsVerified} checkpoints re-verified)`),
        );
      } catch (e) {
        // A damaged backup is a verification failure (exit 1), not bad usage.
        if (e instanceof GovchainError && (e.code === 'backup.corrupt' || e.code === 'chain.corrupt')) throw new VerificationFailure(`${e.message} [${e.code}]`);
        throw e;
      }
    });
}
