/** An orderer a test drives by hand: it delivers whatever blocks the test hands it. */
import type { BlockHandler, OrderedBlock, OrderedTx, Orderer, OrderingPosition } from '@govchain/ordering';

/** A submission the test settles itself (with `hold`), as JetStream's publish acknowledgement settles. */
export interface HeldSubmission {
  tx: OrderedTx;
  resolve: () => void;
  reject: (e: Error) => void;
}

export type HandOrderer = Orderer & {
  /** The position the node started the orderer from. */
  from: () => OrderingPosition;
  /** Hand the node any block; resolves when its handler does. */
  deliver: (b: OrderedBlock) => Promise<void>;
  /** Submissions so far (unsettled until the test settles them when `hold` is set). */
  submissions: HeldSubmission[];
};

/** A hand-driven orderer; with `hold`, submissions stay unsettled until the test settles them. */
export function handOrderer(opts: { hold?: boolean } = {}): HandOrderer {
  let handler: BlockHandler | undefined;
  let from: OrderingPosition | undefined;
  const submissions: HeldSubmission[] = [];
  return {
    kind: 'hand',
    submit: (tx) =>
      new Promise<void>((resolve, reject) => {
        submissions.push({ tx, resolve, reject });
        if (opts.hold !== true) resolve();
      }),
    start: async (f, onBlock) => {
      from = f;
      handler = onBlock;
    },
    pending: () => 0,
    close: async () => {},
    from: () => from!,
    deliver: (b) => handler!(b),
    submissions,
  };
}
