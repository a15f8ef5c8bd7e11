/** Error codes of the notary module (see docs/errors.md). */
import { GovchainError } from '@govchain/core';

/** The digest is already anchored; its first anchor stands. */
export function alreadyAnchored(digest: string, txid: string, field = '/body/payload/digest'): GovchainError {
  return new GovchainError('notary.already_anchored', `${field.endsWith('root') ? 'batch root' : 'digest'} ${digest} was already anchored by transaction ${txid}`, { field, details: { txid } });
}
