/** TypeBox fragments shared by the registry modules' payload schemas. */
import { Type } from '@sinclair/typebox';

/** Lowercase hex SHA-256 (a document, geometry or record kept off the ledger). */
export const Digest = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });
/** A DID (did:gov or did:key). */
export const Did = Type.String({ pattern: '^did:[a-z0-9]+:[A-Za-z0-9._:%-]+$', maxLength: 200 });
/** A registry identifier chosen by the registering party (parcel, tender, batch, ...). */
export const RecordId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'identifier: letters, digits, ".", "_", "-"; at most 64' });
/** An amount in minor units (VND has none: whole dong). */
export const Amount = Type.Integer({ minimum: 0, maximum: 9_000_000_000_000_000 });
/** An RFC 3339 time in UTC (compared as instants, e.g. against block time). */
export const Time = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z$', description: 'RFC 3339 UTC time' });
/** An invoice id of the payments module. */
export const InvoiceId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$', description: 'id of a paid invoice of the payments module' });
