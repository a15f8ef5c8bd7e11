/**
 * The HTTP face of a witness (C2SP tlog-witness): `POST /add-checkpoint` (request and
 * answers exactly as the spec: 200 with cosignature lines, 400, 403, 404, 409 with
 * `text/x.tlog.size`, 422), plus read routes for monitors and for split-view comparison:
 * `GET /checkpoint` (the latest cosigned note), `GET /witness` (name, origin, verifier
 * key, evidence count), `GET /evidence` (refused requests kept as evidence).
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Witness } from '@govchain/node';

/** Build the witness server (not listening yet). */
export async function createWitnessServer(witness: Witness): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/add-checkpoint', async (req, reply) => {
    const body = typeof req.body === 'string' ? req.body : '';
    const r = witness.addCheckpoint(body);
    reply.code(r.status).type(r.contentType);
    return r.body;
  });
  app.get('/checkpoint', async (_req, reply) => {
    const note = witness.latestNote();
    reply.type('text/plain; charset=utf-8');
    if (note === undefined) {
      reply.code(404);
      return 'no checkpoint cosigned yet\n';
    }
    return note;
  });
  app.get('/witness', async () => ({ name: witness.name, origin: witness.origin, vkey: witness.vkey, evidence: witness.evidence }));
  app.get('/evidence', async () => ({ evidence: witness.evidenceRecords() }));
  app.get('/healthz', async () => ({ ok: true }));
  return app;
}
