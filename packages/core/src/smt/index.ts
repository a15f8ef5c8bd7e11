/** The authenticated state map (docs/state-proofs.md): tree, proofs and their JSON form. */
export {
  MemorySmtStore,
  SMT_EMPTY_ROOT,
  SMT_MAX_DEPTH,
  getSmtValueHash,
  proveSmt,
  smtInternalHash,
  smtLeafHash,
  updateSmt,
  verifySmtProof,
  type SmtNode,
  type SmtNodeEntry,
  type SmtNodeReader,
  type SmtProof,
  type SmtUpdate,
  type SmtUpdateResult,
  type SmtUpdateOptions,
} from './tree.js';
export { smtProofFromJson, smtProofToJson, type SmtProofJson } from './proof-json.js';
