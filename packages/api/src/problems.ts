/**
 * RFC 9457 problem details: the one place where error codes become HTTP statuses.
 * Every code is listed in docs/errors.md.
 */
import { GovchainError } from '@govchain/core';

/** HTTP status for each error code (by exact code, then by prefix). */
const STATUS_BY_CODE: Record<string, number> = {
  'tx.replayed': 409,
  'tx.duplicate': 409,
  'proof.not_certified_yet': 409,
  'notary.already_anchored': 409,
  'tx.not_found': 404,
  'block.not_found': 404,
  'checkpoint.not_found': 404,
  'anchor.not_found': 404,
  'state.not_found': 404,
  'route.not_found': 404,
  'module.not_found': 404,
  'mempool.full': 429,
  'mempool.signer_full': 429,
  'rate.limited': 429,
  'admin.forbidden': 403,
  'admin.disabled': 403,
  'webhook.not_found': 404,
  'webhook.limit': 429,
  'webhook.invalid': 400,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
  'node.halted': 503,
  'store.disk_full': 503,
  'node.stopping': 503,
  'ordering.unavailable': 503,
  'internal.error': 500,
  'did.not_found': 404,
  'identity.not_found': 404,
  'governance.no_proposal': 404,
  'identity.exists': 409,
  'identity.duplicate_person': 409,
  'identity.key_exists': 409,
  'identity.key_not_active': 409,
  'identity.last_key': 409,
  'identity.too_many_keys': 409,
  'governance.closed': 409,
  'governance.expired': 409,
  'governance.already_approved': 409,
  'auth.challenge_unknown': 401,
  'auth.bad_signature': 401,
  'auth.token_invalid': 401,
  'services.no_application': 404,
  'services.no_service': 404,
  'payments.no_invoice': 404,
  'documents.not_found': 404,
  'documents.forbidden': 403,
  'documents.erased': 410,
  'documents.exists': 409,
  'services.already_issued': 409,
  'services.already_erased': 409,
  'services.status_index_taken': 409,
  'payments.reference_used': 409,
  'payments.duplicate_invoice': 409,
};
const STATUS_BY_PREFIX: Array<[string, number]> = [
  ['tx.', 400],
  ['did.', 400],
  ['codec.', 400],
  ['request.', 400],
  ['proof.', 400],
  ['checkpoint.', 400],
  ['auth.', 403],
];

/** The HTTP status of an error code. */
export function statusForCode(code: string): number {
  const exact = STATUS_BY_CODE[code];
  if (exact !== undefined) return exact;
  for (const [prefix, status] of STATUS_BY_PREFIX) if (code.startsWith(prefix)) return status;
  // Module refusals (a transaction that would fail) are client errors.
  return /^[a-z_]+\.[a-z_]+$/.test(code) && !code.startsWith('internal.') && !code.startsWith('store.') && !code.startsWith('chain.') ? 400 : 500;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An RFC 9457 problem body with govchain's extension members `code` and `field`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  field?: string;
  [extension: string]: unknown;
}

/** Build the problem body for an error code. */
export function problem(code: string, detail: string, extra: { field?: string | undefined; instance?: string; details?: Record<string, unknown> | undefined } = {}): Problem {
  const status = statusForCode(code);
  const p: Problem = { type: `urn:govchain:error:${code}`, title: TITLES[status] ?? 'Error', status, detail, code };
  if (extra.instance !== undefined) p.instance = extra.instance;
  if (extra.field !== undefined) p.field = extra.field;
  if (extra.details !== undefined) Object.assign(p, extra.details);
  return p;
}

/** The problem body of a GovchainError. */
export function problemFromError(e: GovchainError, instance?: string): Problem {
  return problem(e.code, e.message, { field: e.field, ...(instance === undefined ? {} : { instance }), details: e.details });
}
