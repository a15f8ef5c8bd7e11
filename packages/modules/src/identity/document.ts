/**
 * W3C DID Core 1.0 documents for did:gov records (and did:key), with the key history in
 * the document metadata. Pure: the API adds the state proof.
 */
import { didKeyFingerprint, fromBase64Url, publicKeyFromDidKey, type JsonValue } from '@govchain/core';
import type { DidRecord } from './records.js';

/** A DID resolution result: the document and its metadata (DID Resolution shape). */
export interface DidResolution {
  didDocument: { [key: string]: JsonValue };
  didDocumentMetadata: { [key: string]: JsonValue };
}

const CONTEXT = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'];

/** The multikey (`z6Mk…`) form of an Ed25519 public key. */
function multikey(publicKey: Uint8Array): string {
  return didKeyFingerprint(publicKey);
}

/** The DID document of a ledger record: active keys are verification methods. */
export function didDocumentOf(record: DidRecord): DidResolution {
  const active = record.keys.filter((k) => k.revoked === undefined && record.deactivated === undefined);
  const vm = active.map((k) => ({ id: `${record.did}#${k.id}`, type: 'Multikey', controller: record.did, publicKeyMultibase: multikey(fromBase64Url(k.publicKey)) }));
  const ids = vm.map((v) => v.id);
  const doc: { [key: string]: JsonValue } = {
    '@context': CONTEXT,
    id: record.did,
    verificationMethod: vm,
    authentication: ids,
    assertionMethod: ids,
  };
  if (record.kind === 'officer' && record.agency !== undefined) doc.controller = [record.did, record.agency];
  const meta: { [key: string]: JsonValue } = {
    kind: record.kind,
    created: record.created,
    updated: record.updated,
    versionId: String(record.updated),
    deactivated: record.deactivated !== undefined,
    keyHistory: record.keys.map((k) => {
      const h: { [key: string]: JsonValue } = { id: `${record.did}#${k.id}`, publicKeyMultibase: multikey(fromBase64Url(k.publicKey)), added: k.added };
      if (k.revoked !== undefined) {
        h.revoked = k.revoked;
        h.revokedReason = k.revokedReason ?? 'revoked';
      }
      return h;
    }),
  };
  if (record.deactivated !== undefined) meta.deactivatedAt = record.deactivated;
  if (record.name !== undefined) meta.name = record.name;
  if (record.authorities !== undefined) meta.authorities = record.authorities;
  if (record.agency !== undefined) meta.agency = record.agency;
  if (record.roles !== undefined) meta.roles = record.roles;
  if (record.registeredBy !== undefined) meta.registeredBy = record.registeredBy;
  if (record.commitments !== undefined) meta.commitments = record.commitments;
  return { didDocument: doc, didDocumentMetadata: meta };
}

/** The DID document of a did:key (generated from the key; nothing on the ledger). */
export function didKeyDocument(did: string): DidResolution {
  const fp = did.slice('did:key:'.length);
  publicKeyFromDidKey(did);
  const id = `${did}#${fp}`;
  return {
    didDocument: { '@context': CONTEXT, id: did, verificationMethod: [{ id, type: 'Multikey', controller: did, publicKeyMultibase: fp }], authentication: [id], assertionMethod: [id] },
    didDocumentMetadata: { method: 'key', onLedger: false },
  };
}
