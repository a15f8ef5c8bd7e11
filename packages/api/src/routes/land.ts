/** Routes of the land registry (reads; writes are signed transactions via POST /v1/txs). */
import type { FastifyPluginAsync } from 'fastify';
import { canonicalJson, type JsonValue } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import type { HistoryEntry, ParcelRecord, TransferRecord } from '@govchain/modules';
import { Type } from '@sinclair/typebox';
import { DidParam, IdParam, ProofQuery, provenRecord, recordErrors, recordOr404, recordsWithPrefix, wantsProof } from './registry-records.js';

export const landRoutes: FastifyPluginAsync<{ node: GovchainNode }> = async (app, { node }) => {
  const tags = ['land'];
  app.get(
    '/v1/land/parcels',
    { schema: { tags, summary: 'Active parcels, optionally only those an owner holds a share of', querystring: Type.Object({ owner: Type.Optional(DidParam.properties.did) }), response: recordErrors } },
    async (req) => {
      const { owner } = req.query as { owner?: string };
      const parcels = recordsWithPrefix<ParcelRecord>(node, 'land', 'parcel/', (v, k) => k.split('/').length === 2 && v.status === 'active' && (owner === undefined || v.owners.some((o) => o.holder === owner)));
      return { parcels };
    },
  );
  app.get(
    '/v1/land/parcels/:id',
    { schema: { tags, summary: 'A parcel with its owners, mortgages, freeze and title (`current`: it certifies the present owners); proof: /v1/state/land/parcel/<id>?proof=1', params: IdParam, response: recordErrors } },
    async (req) => {
      const { id } = req.params as { id: string };
      const parcel = recordOr404(node, 'land', `parcel/${id}`, `parcel ${id}`) as unknown as ParcelRecord;
      const title = node.stateValue('land', `title/${id}`) as { owners: unknown } | undefined;
      // A title is current while the parcel is active and its owners and shares are those it certifies.
      const current = title !== undefined && parcel.status === 'active' && canonicalJson(title.owners as JsonValue) === canonicalJson(parcel.owners as unknown as JsonValue);
      return { parcel, title: title === undefined ? null : { ...title, current } };
    },
  );
  app.get(
    '/v1/land/parcels/:id/history',
    {
      schema: {
        tags,
        summary: 'Every history entry of a parcel (hash-chained); ?proof=1 adds each entry\'s state proof against the latest certified checkpoint',
        params: IdParam,
        querystring: ProofQuery,
        response: recordErrors,
      },
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const parcel = recordOr404(node, 'land', `parcel/${id}`, `parcel ${id}`) as unknown as ParcelRecord;
      const keys = Array.from({ length: parcel.version }, (_, i) => `parcel/${id}/history/${i + 1}`);
      if (wantsProof(req.query)) return { parcel: provenRecord(node, 'land', `parcel/${id}`), entries: keys.map((k) => provenRecord(node, 'land', k)) };
      return { parcel, entries: keys.map((k) => node.stateValue('land', k) as unknown as HistoryEntry) };
    },
  );
  app.get(
    '/v1/land/transfers',
    { schema: { tags, summary: 'Transfers, optionally only those of one status (a land registrar\'s work list: ?status=pending)', querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('completed'), Type.Literal('cancelled')])) }), response: recordErrors } },
    async (req) => {
      const { status } = req.query as { status?: string };
      return { transfers: recordsWithPrefix<TransferRecord>(node, 'land', 'transfer/', (v) => status === undefined || v.status === status).sort((a, b) => a.proposed - b.proposed) };
    },
  );
  app.get('/v1/land/transfers/:id', { schema: { tags, summary: 'A transfer', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'land', `transfer/${(req.params as { id: string }).id}`, 'transfer'),
  );
  app.get('/v1/land/mortgages/:id', { schema: { tags, summary: 'A mortgage', params: IdParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'land', `mortgage/${(req.params as { id: string }).id}`, 'mortgage'),
  );
  app.get('/v1/land/banks/:did', { schema: { tags, summary: 'A bank registered to hold mortgages', params: DidParam, response: recordErrors } }, async (req) =>
    recordOr404(node, 'land', `bank/${(req.params as { did: string }).did}`, 'bank'),
  );
};
