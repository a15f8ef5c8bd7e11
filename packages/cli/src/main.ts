#!/usr/bin/env node
/**
 * The `govchain` command (CONTRACT.md s.1 and s.7). Exit 0 on success, 1 on a
 * verification failure, 2 on bad usage or input, with one line on stderr.
 */
import { Command, CommanderError, Option } from 'commander';
import { exitCodeFor } from './context.js';
import { registerAnchorBatch } from './commands/anchor-batch.js';
import { registerAudit } from './commands/audit.js';
import { registerBackup } from './commands/backup.js';
import { registerDid } from './commands/did.js';
import { registerDoctor } from './commands/doctor.js';
import { registerInit } from './commands/init.js';
import { registerKeygen } from './commands/keygen.js';
import { registerNotarize } from './commands/notarize.js';
import { registerProof } from './commands/proof.js';
import { registerStart } from './commands/start.js';
import { registerNetwork } from './commands/network.js';
import { registerStatus } from './commands/status.js';
import { registerTx } from './commands/tx.js';
import { registerVc } from './commands/vc.js';
import { registerWebhook } from './commands/webhook.js';
import { registerWitness } from './commands/witness.js';
import { registerExport } from './commands/export.js';
import { registerTour } from './commands/tour.js';

/** Add the options every command accepts. */
function withGlobals(c: Command): Command {
  return c
    .addOption(new Option('--data <dir>', 'data folder (env GOVCHAIN_DATA)').default(undefined))
    .option('--json', 'print one JSON object on stdout')
    .option('--node <url>', 'node URL (env GOVCHAIN_NODE)')
    .option('--key <file>', 'signing key file');
}

function fail(message: string, code: number): never {
  process.stderr.write(`govchain: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

const program = new Command('govchain')
  .description('govchain: a verifiable ledger for government services')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: () => {} });
for (const register of [registerInit, registerStart, registerKeygen, registerTx, registerNotarize, registerAnchorBatch, registerProof, registerAudit, registerBackup, registerStatus, registerDid, registerDoctor, registerWebhook, registerWitness, registerExport, registerVc, registerNetwork, registerTour]) register(program, withGlobals);
for (const c of program.commands) c.exitOverride().configureOutput({ writeErr: () => {} });
for (const c of program.commands.flatMap((c) => c.commands)) c.exitOverride().configureOutput({ writeErr: () => {} });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') process.exit(0);
    fail(e.message.replace(/^error: /, ''), 2);
  }
  const { code, message } = exitCodeFor(e);
  fail(message, code);
}
