/**
 * Route schemas (TypeBox, i.e. JSON Schema): the single source for validation, OpenAPI
 * and the SDK's types.
 */
import { Type, type Static } from '@sinclair/typebox';

export const Hex64 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });
export const Base64 = Type.String({ description: 'standard base64 (RFC 4648 s.4)' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    code: Type.String({ description: 'stable error code, see docs/errors.md' }),
    field: Type.Optional(Type.String({ description: 'JSON Pointer to the offending field' })),
  },
  { additionalProperties: true, $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const TxBody = Type.Object(
  {
    chain: Type.String(),
    type: Type.String({ description: '<module>.<action>' }),
    signer: Type.String({ description: 'DID of the signer' }),
    nonce: Type.String(),
    payload: Type.Object({}, { additionalProperties: true }),
    expires: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

export const Envelope = Type.Object(
  {
    body: TxBody,
    signatures: Type.Array(Type.Object({ kid: Type.String(), sig: Type.String({ description: 'base64url Ed25519 signature over JCS(body)' }) }), { minItems: 1 }),
  },
  { additionalProperties: false, description: 'A signed transaction (CONTRACT.md s.2)' },
);

export const TxEvent = Type.Object({ type: Type.String(), data: Type.Object({}, { additionalProperties: true }) });
export const Receipt = Type.Object(
  {
    txid: Hex64,
    height: Type.Integer(),
    index: Type.Integer(),
    status: Type.Union([Type.Literal('ok'), Type.Literal('failed')]),
    code: Type.Optional(Type.String()),
    events: Type.Optional(Type.Array(TxEvent)),
  },
  { additionalProperties: false },
);

export const Status = Type.Object({
  chainId: Type.String(),
  height: Type.Integer(),
  logSize: Type.Integer(),
  stateRoot: Type.String(),
  logRoot: Type.Optional(Type.String({ description: 'hex root of the transaction log at the head' })),
  validators: Type.Integer({ description: 'number of validators' }),
  version: Type.String(),
  certifiedSize: Type.Optional(Type.Integer()),
  orderer: Type.Optional(Type.String()),
  protocol: Type.Optional(
    Type.Object({
      version: Type.Integer({ description: 'protocol version in force for the next block' }),
      supported: Type.Integer({ description: 'highest protocol version this node runs' }),
      scheduled: Type.Optional(Type.Object({ version: Type.Integer(), height: Type.Integer({ description: 'activation height' }) })),
    }, { description: 'execution-rule versions recorded by governance (docs/upgrades.md)' }),
  ),
});

export const SubmitAccepted = Type.Object({ txid: Hex64 });
export const SubmitQuery = Type.Object({ wait: Type.Optional(Type.Union([Type.Literal('commit'), Type.Literal('none')])), timeout: Type.Optional(Type.Integer({ minimum: 1, maximum: 60000, description: 'ms to wait for commit' })) });

export const TxRecord = Type.Object({ envelope: Envelope, receipt: Receipt, leafIndex: Type.Integer() });

/** Most envelopes in one `POST /v1/txs/batch` request. */
export const BATCH_MAX_TXS = 1000;
/** Largest `POST /v1/txs/batch` request body in bytes (4 MiB). */
export const BATCH_REQUEST_LIMIT = 4 * 1024 * 1024;

export const BatchSubmitBody = Type.Array(Envelope, { minItems: 1, maxItems: BATCH_MAX_TXS, description: `signed transactions (CONTRACT.md s.2), at most ${BATCH_MAX_TXS}; each is checked and admitted on its own` });
/** One item's outcome in a batch answer, in the order of the request. */
export const BatchItemResult = Type.Object(
  {
    accepted: Type.Boolean({ description: 'true: admitted for ordering (as a 202 of POST /v1/txs)' }),
    txid: Type.Optional(Type.String({ description: 'the txid, when the envelope could be parsed' })),
    receipt: Type.Optional(Receipt),
    problem: Type.Optional(Type.Ref(Problem, { description: 'why the envelope was refused (the body POST /v1/txs would have answered; its status is in the problem)' })),
  },
  { additionalProperties: false },
);
export const BatchSubmitResult = Type.Object(
  {
    accepted: Type.Integer({ description: 'number of admitted envelopes' }),
    rejected: Type.Integer({ description: 'number of refused envelopes' }),
    committed: Type.Optional(Type.Integer({ description: 'with ?wait=commit: number of receipts in the answer' })),
    results: Type.Array(BatchItemResult, { description: 'one entry per envelope of the request, in its order' }),
  },
  { additionalProperties: false },
);

export const BlockHeader = Type.Object({
  chain: Type.String(),
  height: Type.Integer(),
  prev: Hex64,
  time: Type.String(),
  txCount: Type.Integer(),
  txsHash: Hex64,
  logSize: Type.Integer(),
  logRoot: Hex64,
  stateRoot: Hex64,
});
export const Block = Type.Object({ header: BlockHeader, txids: Type.Array(Hex64), hash: Type.Optional(Hex64) });

export const InclusionQuery = Type.Object({ txid: Hex64, size: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
export const InclusionProof = Type.Object({ leafIndex: Type.Integer(), treeSize: Type.Integer(), leaf: Base64, hashes: Type.Array(Base64) });
export const ConsistencyQuery = Type.Object({ from: Type.Integer({ minimum: 0 }), to: Type.Integer({ minimum: 0 }) }, { additionalProperties: false });
export const ConsistencyProof = Type.Object({ from: Type.Integer(), to: Type.Integer(), hashes: Type.Array(Base64) });
export const CheckpointQuery = Type.Object({ size: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
export const Validators = Type.Object({
  quorum: Type.Integer(),
  vkeys: Type.Array(Type.String({ description: 'signed-note verifier key <name>+<hex key hash>+<base64(0x01||key)>' })),
});

export const SmtProofJson = Type.Object({
  siblings: Type.Array(Base64),
  leaf: Type.Union([Type.Object({ key: Type.String(), valueHash: Type.String() }), Type.Null()]),
});
export const StateQuery = Type.Object({
  proof: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('0'), Type.Literal('true'), Type.Literal('false')])),
  size: Type.Optional(Type.Integer({ minimum: 1, description: 'prove against the certified checkpoint of this log size (default: the latest)' })),
});
export const StateResponse = Type.Object({
  value: Type.Unknown(),
  proof: Type.Optional(SmtProofJson),
  checkpoint: Type.Optional(Type.String({ description: 'the certified checkpoint (signed note) the proof is against' })),
});

/** GET /v1/notary/anchors/<digest>: the anchor record of a document digest. */
export const AnchorRecord = Type.Object({
  digest: Hex64,
  by: Type.String(),
  txid: Hex64,
  height: Type.Integer(),
  time: Type.String(),
  label: Type.Optional(Type.String()),
  mediaType: Type.Optional(Type.String()),
});

export type TEnvelope = Static<typeof Envelope>;

/** Event filter of a webhook: every listed field must match (empty lists match all). */
export const WebhookFilter = Type.Object(
  {
    types: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 50, description: 'transaction types (e.g. notary.anchor) or event types (e.g. notary.anchored)' })),
    modules: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), { maxItems: 50 })),
    status: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('failed')])),
  },
  { additionalProperties: false },
);

/** POST /v1/admin/webhooks: register a URL. */
export const WebhookCreate = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', maxLength: 2000, description: 'where events are POSTed' }),
    secret: Type.String({ minLength: 16, maxLength: 256, description: 'HMAC-SHA256 key for the X-Govchain-Signature header' }),
    filter: Type.Optional(WebhookFilter),
    from: Type.Optional(Type.Union([Type.Literal('now'), Type.Integer({ minimum: 0 })], { description: 'first log index to deliver: "now" (default) or a leaf index' })),
  },
  { additionalProperties: false },
);

/** A registered webhook (the secret is never shown again). */
export const Webhook = Type.Object({
  id: Type.String(),
  url: Type.String(),
  filter: WebhookFilter,
  cursor: Type.Integer({ description: 'next log index to consider' }),
  delivered: Type.Integer(),
  failures: Type.Integer({ description: 'consecutive failed attempts of the current event' }),
  lastError: Type.Optional(Type.String()),
  created: Type.String(),
});
export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) });
