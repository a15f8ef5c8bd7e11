/** `govchain status`: ask a running node for its status. */
import type { Command } from 'commander';
import { createClient } from '@govchain/sdk';
import { globals, output } from '../context.js';

export function registerStatus(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('status'))
    .description("print a running node's status")
    .action(async (opts) => {
      const g = globals(opts);
      const s = await createClient({ url: g.node }).status();
      const p = s.protocol;
      const protocol = p === undefined ? '' : `\nprotocol ${p.version} (this node supports up to ${p.supported})${p.scheduled === undefined ? '' : `; governance scheduled protocol ${p.scheduled.version} from height ${p.scheduled.height}${p.scheduled.version > p.supported ? ': UPGRADE THIS NODE BEFORE THEN' : ''}`}`;
      output(g, s, `chain ${s.chainId}: height ${s.height}, ${s.logSize} transactions, ${s.validators} validator(s), state root ${s.stateRoot}${protocol}`);
    });
}
