/**
 * Procurement in the portal, for signed-in users: a procurement officer publishes a
 * tender (`/officer/tenders`) and awards it; a business registers as a bidder, commits a
 * sealed bid and reveals it; committee members score revealed bids. Every action is a
 * transaction signed in the browser (`signAndSubmit`).
 *
 * Sealed bids: the commitment is computed here, in the bidder's browser:
 * hex SHA-256(JCS({"bidder", "document", "price", "salt", "tender"})) with a salt of 16
 * random bytes (base64url), as docs/registries.md specifies. Only the commitment leaves
 * the browser. Price, document digest and salt (the "bid secret") stay with the bidder:
 * in this browser's localStorage and as a file to download; revealing needs them (from
 * storage or from the file).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { canonicalJson, sha256, toBase64Url, toHex, utf8 } from '@govchain/core';
import { PageTitle, Verdict } from '../components.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';
import { useSession, type Session } from '../session.js';
import { SignInFirst, useSignedAction } from '../signed-actions.js';
import { digestFile } from '../verify.js';
import type { Bid, Tender, tenderPhase } from './tenders.js';

/** What a bidder keeps to reveal a sealed bid. */
export interface BidSecret {
  tender: string;
  bidder: string;
  price: number;
  document: string;
  salt: string;
}

/** The commitment of a bid (the procurement module's `bidCommitment`, recomputed in the browser). */
export function bidCommitment(b: BidSecret): string {
  return toHex(sha256(utf8(canonicalJson({ tender: b.tender, bidder: b.bidder, price: b.price, document: b.document, salt: b.salt }))));
}

const secretKey = (tender: string, bidder: string): string => `govchain.bid.${tender}.${bidder}`;
function loadSecret(tender: string, bidder: string): BidSecret | undefined {
  try {
    const raw = localStorage.getItem(secretKey(tender, bidder));
    return raw === null ? undefined : (JSON.parse(raw) as BidSecret);
  } catch {
    return undefined;
  }
}

/** The actions the signed-in user may take on a tender in its current phase. */
export function TenderActions(props: { tender: Tender; bids: Bid[]; phase: ReturnType<typeof tenderPhase>; reload(): void }): JSX.Element | null {
  const session = useSession();
  const { t } = useI18n();
  if (session === undefined) return null;
  const { tender, bids, phase } = props;
  const isBidder = session.kind === 'business';
  const isCommittee = tender.committee.includes(session.did);
  const isOfficer = session.roles.includes('procurement_officer') && session.agency === tender.agency;
  if (!isBidder && !isCommittee && !isOfficer) return null;
  return (
    <section aria-labelledby="act-h" data-testid="tender-actions">
      <h2 id="act-h">{t('tact.title')}</h2>
      {isBidder && <BidderActions tender={tender} bid={bids.find((b) => b.bidder === session.did)} phase={phase} session={session} reload={props.reload} />}
      {isCommittee && phase === 'scoring' && <ScoreForms tender={tender} bids={bids} session={session} reload={props.reload} />}
      {isOfficer && phase === 'scoring' && <AwardAction tender={tender} bids={bids} reload={props.reload} />}
    </section>
  );
}

function BidderActions(props: { tender: Tender; bid: Bid | undefined; phase: string; session: Session; reload(): void }): JSX.Element | null {
  const { t } = useI18n();
  const { tender, bid, phase, session } = props;
  const act = useSignedAction(props.reload);
  const [price, setPrice] = useState('');
  const [doc, setDoc] = useState<string | undefined>(undefined);
  const [secretFile, setSecretFile] = useState<BidSecret | undefined>(undefined);
  const registered = tender.bidders.includes(session.did);
  const stored = loadSecret(tender.id, session.did) ?? secretFile;
  if (phase === 'bidding' && !registered) {
    return (
      <p>
        <button type="button" disabled={act.busy} onClick={() => void act.run('procurement.register_bidder', { tender: tender.id })}>
          {t('tact.register')}
        </button>
        {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
      </p>
    );
  }
  if (phase === 'bidding' && bid === undefined) {
    const commit = async (): Promise<void> => {
      const p = Number(price);
      if (!Number.isSafeInteger(p) || p < 0 || doc === undefined) return;
      const secret: BidSecret = { tender: tender.id, bidder: session.did, price: p, document: doc, salt: toBase64Url(crypto.getRandomValues(new Uint8Array(16))) };
      localStorage.setItem(secretKey(tender.id, session.did), JSON.stringify(secret));
      await act.run('procurement.commit_bid', { tender: tender.id, commitment: bidCommitment(secret) });
    };
    return (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void commit();
        }}
      >
        <p>{t('tact.sealedIntro')}</p>
        <p>
          <label for="bid-price">{t('tact.price')}</label>
          <br />
          <input id="bid-price" type="text" inputMode="numeric" required value={price} onInput={(e) => setPrice((e.target as HTMLInputElement).value)} />
        </p>
        <p>
          <label for="bid-doc">{t('tact.document')}</label>
          <br />
          <input id="bid-doc" type="file" required onChange={(e) => void digestFile((e.target as HTMLInputElement).files![0]!).then((d) => setDoc(d.digest))} />
        </p>
        <button type="submit" disabled={act.busy || doc === undefined}>
          {t('tact.commit')}
        </button>
        {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
      </form>
    );
  }
  if (bid !== undefined && bid.status === 'sealed' && phase === 'bidding') {
    return (
      <Verdict kind="info" title={t('tact.committed')} testId="bid-committed">
        {stored !== undefined && (
          <p>
            <a download={`bid-${tender.id}.json`} href={`data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(stored))}`}>
              {t('tact.download')}
            </a>
          </p>
        )}
      </Verdict>
    );
  }
  if (bid !== undefined && bid.status === 'sealed' && phase === 'reveal') {
    const match = stored !== undefined && bidCommitment(stored) === bid.commitment;
    return (
      <div>
        {!match && (
          <p>
            <label for="bid-secret">{t('tact.secretFile')}</label>
            <br />
            <input
              id="bid-secret"
              type="file"
              accept=".json,application/json"
              onChange={(e) => void (e.target as HTMLInputElement).files![0]!.text().then((s) => setSecretFile(JSON.parse(s) as BidSecret))}
            />
          </p>
        )}
        <button type="button" disabled={act.busy || !match} onClick={() => void act.run('procurement.reveal_bid', { tender: tender.id, price: stored!.price, document: stored!.document, salt: stored!.salt })}>
          {t('tact.reveal')}
        </button>
        {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
      </div>
    );
  }
  return null;
}

function ScoreForms(props: { tender: Tender; bids: Bid[]; session: Session; reload(): void }): JSX.Element {
  const { t } = useI18n();
  const act = useSignedAction(props.reload);
  const todo = props.bids.filter((b) => b.status === 'revealed' && b.scores?.[props.session.did] === undefined);
  const [values, setValues] = useState<Record<string, string>>({});
  if (todo.length === 0) return <p data-testid="scored">{t('tact.allScored')}</p>;
  return (
    <>
      {todo.map((b) => (
        <form
          key={b.bidder}
          class="card"
          data-testid="score-form"
          onSubmit={(e) => {
            e.preventDefault();
            const scores = Object.fromEntries(props.tender.criteria.map((c) => [c.name, Number(values[`${b.bidder}|${c.name}`] ?? '')]));
            void act.run('procurement.score', { tender: props.tender.id, bidder: b.bidder, scores });
          }}
        >
          <p>
            {t('tact.scoreBid')} <code class="mono">{b.bidder}</code>
          </p>
          {props.tender.criteria.map((c, i) => (
            <p key={c.name}>
              <label for={`score-${b.bidder}-${i}`}>{t('tact.criterion', { name: c.name })}</label>{' '}
              <input
                id={`score-${b.bidder}-${i}`}
                type="number"
                min={0}
                max={100}
                required
                value={values[`${b.bidder}|${c.name}`] ?? ''}
                onInput={(e) => setValues({ ...values, [`${b.bidder}|${c.name}`]: (e.target as HTMLInputElement).value })}
              />
            </p>
          ))}
          <button type="submit" disabled={act.busy}>
            {t('tact.score')}
          </button>
        </form>
      ))}
      {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
    </>
  );
}

function AwardAction(props: { tender: Tender; bids: Bid[]; reload(): void }): JSX.Element {
  const { t, num } = useI18n();
  const act = useSignedAction(props.reload);
  const revealed = props.bids.filter((b) => b.status === 'revealed');
  const complete = revealed.length > 0 && revealed.every((b) => props.tender.committee.every((m) => b.scores?.[m] !== undefined));
  if (!complete) return <p>{t('tact.waitScores')}</p>;
  const total = (b: Bid): number => Object.values(b.scores ?? {}).reduce((n, s) => n + s, 0);
  // Best total score; ties go to the lower price (the module's rule).
  const best = [...revealed].sort((a, b) => total(b) - total(a) || (a.price ?? 0) - (b.price ?? 0))[0]!;
  return (
    <p>
      <button type="button" disabled={act.busy} onClick={() => void act.run('procurement.award', { tender: props.tender.id, bidder: best.bidder })}>
        {t('tact.award', { score: num(total(best)) })}
      </button>
      {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
    </p>
  );
}

/** A procurement officer publishes a tender. */
export function PublishTenderPage(): JSX.Element {
  const { t } = useI18n();
  const session = useSession();
  const act = useSignedAction(() => undefined);
  const [f, setF] = useState({ id: '', title: '', criteria: 'price:60, quality:40', deadline: '', revealUntil: '', committee: '' });
  const [docs, setDocs] = useState<string[]>([]);
  if (session === undefined || !session.roles.includes('procurement_officer')) {
    return <SignInFirst title={t('tpub.title')} message={t('tpub.officersOnly')} />;
  }
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.target as HTMLInputElement).value });
  const publish = async (): Promise<void> => {
    const criteria = f.criteria.split(',').map((s) => {
      const [name, weight] = s.split(':').map((x) => x.trim());
      return { name: name!, weight: Number(weight) };
    });
    const ok = await act.run('procurement.publish_tender', {
      id: f.id.trim(),
      title: f.title.trim(),
      documents: docs,
      criteria,
      deadline: new Date(f.deadline).toISOString(),
      revealUntil: new Date(f.revealUntil).toISOString(),
      committee: f.committee.split(/[\s,]+/).filter((x) => x !== ''),
    });
    if (ok) navigate(`/tenders/${encodeURIComponent(f.id.trim())}`);
  };
  const field = (k: keyof typeof f, label: string, type: 'text' | 'datetime-local' = 'text', hint?: string): JSX.Element => (
    <p>
      <label for={`tp-${k}`}>{label}</label>
      <br />
      {type === 'datetime-local' ? (
        <input id={`tp-${k}`} class="wide" type="datetime-local" step={1} required value={f[k]} onInput={set(k)} />
      ) : (
        <input id={`tp-${k}`} class="wide" type="text" required value={f[k]} onInput={set(k)} aria-describedby={hint === undefined ? undefined : `tp-${k}-hint`} />
      )}
      {hint !== undefined && (
        <span id={`tp-${k}-hint`} class="small">
          <br />
          {hint}
        </span>
      )}
    </p>
  );
  return (
    <>
      <PageTitle>{t('tpub.title')}</PageTitle>
      <p class="lead">{t('tpub.intro')}</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void publish();
        }}
      >
        {field('id', t('tpub.id'))}
        {field('title', t('tpub.titleField'))}
        <p>
          <label for="tp-docs">{t('tpub.documents')}</label>
          <br />
          <input id="tp-docs" type="file" multiple required onChange={(e) => void Promise.all([...(e.target as HTMLInputElement).files!].map((x) => digestFile(x))).then((d) => setDocs(d.map((x) => x.digest)))} />
        </p>
        {field('criteria', t('tpub.criteria'), 'text', t('tpub.criteriaHint'))}
        {field('deadline', t('tpub.deadline'), 'datetime-local')}
        {field('revealUntil', t('tpub.revealUntil'), 'datetime-local')}
        {field('committee', t('tpub.committee'), 'text', t('tpub.committeeHint'))}
        <button type="submit" disabled={act.busy || docs.length === 0}>
          {t('tpub.publish')}
        </button>
      </form>
      {act.error !== undefined && <Verdict kind="fail" title={act.error} testId="action-error" />}
    </>
  );
}
