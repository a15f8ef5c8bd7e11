/**
 * Operator-only routes (`/v1/admin/*`): webhook registration. Guarded by the bearer token
 * `adminToken` of the node's node.json (`Authorization: Bearer <token>`), compared in
 * constant time; without a configured token the routes answer 403 `admin.disabled`.
 * This is a stop-gap until operator identities are on-chain roles.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { GovchainError } from '@govchain/core';
import type { WebhookDispatcher } from '@govchain/node';
import { Type } from '@sinclair/typebox';
import { Webhook, WebhookCreate, WebhookList } from '../schemas.js';

const problemRef = { $ref: 'Problem#' };
const errors = { 400: problemRef, 403: problemRef, 404: problemRef, 429: problemRef };

export const adminRoutes: FastifyPluginAsync<{ webhooks: WebhookDispatcher | undefined; adminToken: string | undefined }> = async (app, { webhooks, adminToken }) => {
  const expected = adminToken === undefined ? undefined : Buffer.from(adminToken);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    if (expected === undefined || webhooks === undefined) throw new GovchainError('admin.disabled', 'admin routes are disabled: no adminToken in node.json, or no webhook dispatcher');
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const given = Buffer.from(m?.[1] ?? '');
    if (m === null || given.length !== expected.length || !timingSafeEqual(given, expected)) throw new GovchainError('admin.forbidden', 'missing or wrong admin token (Authorization: Bearer <adminToken of node.json>)');
  });
  const security = [{ adminToken: [] }];

  app.post(
    '/v1/admin/webhooks',
    { schema: { tags: ['admin'], summary: 'Register a webhook (operator only)', security, body: WebhookCreate, response: { 201: Webhook, ...errors } } },
    async (req, reply) => {
      const b = req.body as { url: string; secret: string; filter?: { types?: string[]; modules?: string[]; status?: 'ok' | 'failed' }; from?: 'now' | number };
      return reply.code(201).send(webhooks!.add(b));
    },
  );
  app.get('/v1/admin/webhooks', { schema: { tags: ['admin'], summary: 'Registered webhooks with their delivery state (operator only)', security, response: { 200: WebhookList, ...errors } } }, async () => ({
    webhooks: webhooks!.list(),
  }));
  app.delete(
    '/v1/admin/webhooks/:id',
    { schema: { tags: ['admin'], summary: 'Remove a webhook (operator only)', security, params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), ...errors } } },
    async (req, reply) => {
      await webhooks!.remove((req.params as { id: string }).id);
      return reply.code(204).send();
    },
  );
};
