/**
 * `govchain webhook add|list|remove`: manage the node's webhooks through the operator-only
 * API routes. The admin token comes from --admin-token, env GOVCHAIN_ADMIN_TOKEN, or the
 * data folder's node.json (an operator on the node's own machine).
 */
import type { Command } from 'commander';
import { createClient } from '@govchain/sdk';
import { readNodeConfig } from '@govchain/node';
import { globals, output, UsageError, type GlobalOptions } from '../context.js';

function adminClient(g: GlobalOptions, opts: { adminToken?: string }) {
  const adminToken = opts.adminToken ?? process.env.GOVCHAIN_ADMIN_TOKEN ?? readNodeConfig(g.data).adminToken;
  if (adminToken === undefined) throw new UsageError(`no admin token: pass --admin-token, set GOVCHAIN_ADMIN_TOKEN, or run where ${g.data}/node.json has one`);
  return createClient({ url: g.node, adminToken });
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerWebhook(program: Command, withGlobals: (c: Command) => Command): void {
  const wh = program.command('webhook').description('webhooks: signed, retried deliveries of committed transactions (operator only)');
  withGlobals(wh.command('add'))
    .description('register a URL to receive events')
    .requiredOption('--url <url>', 'where events are POSTed')
    .requiredOption('--secret <secret>', 'HMAC-SHA256 key (at least 16 characters) for X-Govchain-Signature')
    .option('--type <type>', 'only these transaction or event types (repeatable)', collect)
    .option('--module <module>', 'only these modules (repeatable)', collect)
    .option('--status <ok|failed>', 'only receipts with this status')
    .option('--from <now|index>', 'first log index to deliver', 'now')
    .option('--admin-token <token>', 'admin token (env GOVCHAIN_ADMIN_TOKEN; default from node.json)')
    .action(async (opts) => {
      const g = globals(opts);
      if (opts.status !== undefined && opts.status !== 'ok' && opts.status !== 'failed') throw new UsageError('--status must be ok or failed');
      if (opts.from !== 'now' && !/^\d+$/.test(opts.from)) throw new UsageError('--from must be "now" or a log index');
      const filter: { types?: string[]; modules?: string[]; status?: 'ok' | 'failed' } = {};
      if (opts.type !== undefined) filter.types = opts.type;
      if (opts.module !== undefined) filter.modules = opts.module;
      if (opts.status !== undefined) filter.status = opts.status;
      const w = await adminClient(g, opts).admin.addWebhook({ url: opts.url, secret: opts.secret, filter, from: opts.from === 'now' ? 'now' : Number(opts.from) });
      output(g, w, `Registered webhook ${w.id} -> ${w.url} (from log index ${w.cursor})`);
    });
  withGlobals(wh.command('list'))
    .description('registered webhooks and their delivery state')
    .option('--admin-token <token>', 'admin token')
    .action(async (opts) => {
      const g = globals(opts);
      const { webhooks } = await adminClient(g, opts).admin.listWebhooks();
      output(g, { webhooks }, webhooks.length === 0 ? 'No webhooks.' : webhooks.map((w) => `${w.id}  ${w.url}  cursor ${w.cursor}  delivered ${w.delivered}${w.failures > 0 ? `  failing (${w.failures}): ${w.lastError}` : ''}`).join('\n'));
    });
  withGlobals(wh.command('remove'))
    .argument('<id>', 'the webhook id')
    .description('remove a webhook')
    .option('--admin-token <token>', 'admin token')
    .action(async (id: string, opts) => {
      const g = globals(opts);
      await adminClient(g, opts).admin.removeWebhook(id);
      output(g, { removed: id }, `Removed webhook ${id}`);
    });
}
