/** Reading registry records from state for the registry routes (land, tax, procurement, health, supply). */
import { GovchainError, smtProofToJson, type JsonValue } from '@govchain/core';
import type { GovchainNode } from '@govchain/node';
import { Type } from '@sinclair/typebox';

/** Path parameter: a registry record id. */
export const IdParam = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }) });
/** Path parameter: a DID. */
export const DidParam = Type.Object({ did: Type.String({ pattern: '^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$', maxLength: 200 }) });
/** Query `?proof=1`. */
export const ProofQuery = Type.Object({ proof: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')])) });
/** Error responses of record routes. */
export const recordErrors = { 400: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } };

/** The value at `<module>/<key>`, or `state.not_found` (404) describing `what`. */
export function recordOr404(node: GovchainNode, module: string, key: string, what: string): JsonValue {
  const v = node.stateValue(module, key);
  if (v === undefined) throw new GovchainError('state.not_found', `${what} not found`);
  return v;
}

/** Every value of `module` whose key starts with `prefix`, in key order (optionally filtered). */
export function recordsWithPrefix<T = JsonValue>(node: GovchainNode, module: string, prefix: string, keep: (v: T, key: string) => boolean = () => true): T[] {
  const out: T[] = [];
  for (const e of node.store.stateEntries(module)) {
    if (!e.key.startsWith(prefix)) continue;
    const v = JSON.parse(e.value) as T;
    if (keep(v, e.key)) out.push(v);
  }
  return out;
}

/** A record with its state proof against the latest certified checkpoint (docs/state-proofs.md). */
export function provenRecord(node: GovchainNode, module: string, key: string): { stateKey: { module: string; key: string }; value: JsonValue | null; proof: JsonValue; checkpoint: string } {
  const r = node.proveState(module, key);
  return { stateKey: { module, key }, value: r.value, proof: smtProofToJson(r.proof) as unknown as JsonValue, checkpoint: r.checkpoint.note };
}

/** True for `?proof=1` / `?proof=true`. */
export const wantsProof = (q: unknown): boolean => ['1', 'true'].includes((q as { proof?: string }).proof ?? '');
