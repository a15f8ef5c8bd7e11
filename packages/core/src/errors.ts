/**
 * The one error base class of govchain. Every error carries a stable `code`
 * (listed in docs/errors.md); only the API maps codes to HTTP statuses.
 */
export class GovchainError extends Error {
  /** Stable machine-readable code, e.g. `tx.bad_signature`. */
  readonly code: string;
  /** Optional pointer to the offending field (JSON Pointer, RFC 6901). */
  readonly field: string | undefined;
  /** Optional structured details, safe to show to a client. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, opts: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GovchainError';
    this.code = code;
    this.field = opts.field;
    this.details = opts.details;
  }
}

/** True when `e` is a GovchainError with the given code (or any code when omitted). */
export function isGovchainError(e: unknown, code?: string): e is GovchainError {
  return e instanceof GovchainError && (code === undefined || e.code === code);
}
