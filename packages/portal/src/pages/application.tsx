/**
 * One application, for its applicant and for the officers who act on it: the step-by-step
 * timeline with the deadline, the fee invoice and its status, the history with a proof
 * bundle per transaction, and the actions the signed-in user can take, each a transaction
 * signed in the browser (docs/services.md): accept, request information, approve, reject
 * with a reason, raise the fee invoice (service officer), confirm the payment (treasury),
 * issue and revoke the credential (the agency), resubmit documents (the applicant).
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { toBase64, utf8 } from '@govchain/core';
import { fetchProofBundle, verifyProofBundle } from '@govchain/sdk';
import { FINAL, loadApplication, type VerifiedApplication } from '../applications.js';
import { client } from '../chain.js';
import { useChain } from '../app.js';
import { Fields, Mono, PageTitle, Show, Time, Verdict, useLoad } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Link } from '../router.js';
import { authedJson, sessionSigner, signAndSubmit, uploadDocument, verifiedState, type Session } from '../session.js';
import { WithSession } from './identity.js';

/** The message key of an application status. */
export function statusKey(s: string): MessageKey {
  return (['submitted', 'in_review', 'info_requested', 'awaiting_payment', 'approved', 'rejected'].includes(s) ? `app.status.${s}` : 'app.status.submitted') as MessageKey;
}

export function ApplicationPage(props: { id: string }): JSX.Element {
  const { t } = useI18n();
  return <WithSession title={t('app.title')}>{(s) => <Application id={props.id} session={s} />}</WithSession>;
}

function Application(props: { id: string; session: Session }): JSX.Element {
  const { t } = useI18n();
  const [tick, setTick] = useState(0);
  // The outcome of the last action lives here, so that it stays shown while the page reloads the application.
  const [outcome, setOutcome] = useState<ActState>({ kind: 'idle' });
  const loaded = useLoad(() => loadApplication(props.id), [props.id, tick]);
  return (
    <>
      <PageTitle>{t('app.title')}</PageTitle>
      <Show loaded={loaded}>{(v) => <ApplicationView v={v} session={props.session} outcome={outcome} setOutcome={setOutcome} reload={() => setTick((n) => n + 1)} />}</Show>
      <ActOutcome state={outcome} />
    </>
  );
}

function ApplicationView(props: { v: VerifiedApplication; session: Session; outcome: ActState; setOutcome(s: ActState): void; reload(): void }): JSX.Element {
  const { t, num } = useI18n();
  const { app, service, invoice } = props.v;
  const s = props.session;
  return (
    <>
      <Verdict kind="ok" title={t('app.verified', { size: props.v.size })} testId="app-verified" />
      <Fields
        rows={[
          [t('app.service'), `${service.name} (${t('services.version', { v: service.version })})`],
          [t('app.id'), <Mono>{app.id}</Mono>],
          [t('app.status'), <strong data-testid="app-status">{t(statusKey(app.status))}</strong>],
          [t('app.submitted'), <Time iso={app.submitted} />],
          [
            t('app.deadline'),
            <span>
              <Time iso={app.deadline} /> {props.v.overdue && <span class="badge badge-overdue">{t('app.overdue')}</span>}
            </span>,
          ],
          ...(app.completed === undefined ? [] : ([[t('app.completed'), <Time iso={app.completed} />]] as [string, JSX.Element][])),
        ]}
      />
      <h2>{t('app.steps')}</h2>
      <ol class="timeline" data-testid="timeline">
        {service.steps.map((st, i) => {
          const done = i < app.step || app.status === 'approved';
          const current = i === app.step && !FINAL.includes(app.status);
          return (
            <li key={st.name} class={done ? 'done' : current ? 'current' : ''}>
              {st.name} · {t(st.kind === 'payment' ? 'app.step.payment' : 'app.step.review', { role: st.role })} · {t(done ? 'app.step.done' : current ? 'app.step.current' : 'app.step.later')}
            </li>
          );
        })}
        {service.credential !== undefined && <li class={app.credential !== undefined ? 'done' : ''}>{t(app.credential !== undefined ? 'app.credential.issued' : 'app.credential.pending')}</li>}
      </ol>
      {(invoice !== undefined || app.status === 'awaiting_payment') && (
        <section aria-labelledby="fee-h">
          <h2 id="fee-h">{t('app.fee')}</h2>
          {invoice === undefined ? (
            <p>{t('app.fee.notYet', { fee: num(service.fee) })}</p>
          ) : (
            <div data-testid="invoice">
              <Fields
                rows={[
                  [t('app.fee.invoice'), <Mono>{invoice.id}</Mono>],
                  [t('app.fee.amount'), `${num(invoice.amount)} ${invoice.currency}`],
                  [t('app.fee.purpose'), invoice.purpose],
                  [t('app.fee.status'), <strong>{t(invoice.status === 'paid' ? 'app.fee.paid' : invoice.status === 'open' ? 'app.fee.open' : 'app.fee.closed')}</strong>],
                  ...(invoice.paymentRef === undefined ? [] : ([[t('app.fee.ref'), invoice.paymentRef]] as [string, string][])),
                ]}
              />
              {invoice.status === 'open' && s.did === app.applicant && <p>{t('app.fee.howToPay', { invoice: invoice.id.slice(0, 16) })}</p>}
            </div>
          )}
        </section>
      )}
      <Actions v={props.v} session={s} state={props.outcome} setState={props.setOutcome} reload={props.reload} />
      <h2>{t('app.history')}</h2>
      <ul class="cards">
        {app.history.map((h) => (
          <li class="card" key={h.txid + h.action}>
            <p>
              <strong>{t(historyKey(h.action))}</strong> · {h.role} · <Time iso={h.time} />
            </p>
            {h.reason !== undefined && <p>{t('app.reason', { reason: h.reason })}</p>}
            {h.action !== 'paid' && (
              <p class="small">
                <Link href={`/txs/${h.txid}`}>{t('tx.title')}</Link> · <BundleLink txid={h.txid} name={`${app.id.slice(0, 12)}-${h.action}`} />
              </p>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

function historyKey(action: string): MessageKey {
  const known = ['submit', 'accept', 'request_info', 'resubmit', 'approve', 'reject', 'paid', 'issue_credential'];
  return (known.includes(action) ? `app.action.${action}` : 'app.action.other') as MessageKey;
}

/** Build a proof bundle of a transaction, verify it here, and offer it as a download. */
function BundleLink(props: { txid: string; name: string }): JSX.Element {
  const { t } = useI18n();
  const { trust } = useChain();
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'busy' } | { kind: 'ready'; href: string } | { kind: 'fail'; reason: string }>({ kind: 'idle' });
  if (state.kind === 'ready')
    return (
      <a href={state.href} download={`${props.name}.govproof.json`}>
        {t('app.bundle.download')}
      </a>
    );
  if (state.kind === 'fail') return <span role="alert" class="fail-text">{t('verify.fail.detail', { reason: state.reason })}</span>;
  return (
    <button
      type="button"
      class="linkish"
      disabled={state.kind === 'busy'}
      onClick={async () => {
        setState({ kind: 'busy' });
        try {
          const bundle = await fetchProofBundle(client, props.txid, { waitMs: 10_000 });
          verifyProofBundle(bundle, { trustedVkeys: trust.vkeys });
          setState({ kind: 'ready', href: URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2) + '\n'], { type: 'application/json' })) });
        } catch (e) {
          setState({ kind: 'fail', reason: (e as Error).message });
        }
      }}
    >
      {t('app.bundle.make')}
    </button>
  );
}

type ActState = { kind: 'idle' } | { kind: 'busy'; what: string } | { kind: 'done'; what: string; txid: string } | { kind: 'fail'; reason: string };

function Actions(props: { v: VerifiedApplication; session: Session; state: ActState; setState(s: ActState): void; reload(): void }): JSX.Element | null {
  const { t } = useI18n();
  const { app, service, invoice } = props.v;
  const s = props.session;
  const [reason, setReason] = useState('');
  const [paymentRef, setPaymentRef] = useState('');
  const [claims, setClaims] = useState(`number: ${app.id.slice(0, 10).toUpperCase()}\nservice: ${service.name}`);
  const [files, setFiles] = useState<Record<string, File>>({});
  const { state, setState } = props;
  const step = service.steps[app.step];
  const open = !FINAL.includes(app.status);
  const mine = s.did === app.applicant;
  const officerHere = s.kind === 'officer' && s.agency === app.agency && !mine;
  const stepOfficer = officerHere && step !== undefined && s.roles.includes(step.role);
  const isAgency = s.kind === 'agency' && s.did === app.agency;
  const treasury = s.kind === 'officer' && s.roles.includes('treasury_officer');

  async function act(what: string, f: () => Promise<{ txid: string }>): Promise<void> {
    setState({ kind: 'busy', what });
    try {
      const r = await f();
      setState({ kind: 'done', what, txid: r.txid });
      props.reload();
    } catch (e) {
      setState({ kind: 'fail', reason: (e as Error).message });
    }
  }
  const tx = (type: string, payload: Record<string, string | number | Record<string, string>>) => () => signAndSubmit(type, payload);

  const buttons: JSX.Element[] = [];
  const needsReason = stepOfficer && step?.kind === 'review' && (app.status === 'in_review' || app.status === 'submitted' || app.status === 'info_requested');
  if (stepOfficer && app.status === 'submitted') buttons.push(<button type="button" onClick={() => void act(t('act.accept'), tx('services.accept', { application: app.id }))}>{t('act.accept')}</button>);
  if (stepOfficer && app.status === 'in_review' && step?.kind === 'review') {
    buttons.push(<button type="button" onClick={() => void act(t('act.approve'), tx('services.approve', { application: app.id }))}>{t('act.approve')}</button>);
    buttons.push(
      <button type="button" class="secondary" disabled={reason.trim() === ''} onClick={() => void act(t('act.requestInfo'), tx('services.request_info', { application: app.id, reason: reason.trim() }))}>
        {t('act.requestInfo')}
      </button>,
    );
  }
  if (needsReason)
    buttons.push(
      <button type="button" class="danger" disabled={reason.trim() === ''} onClick={() => void act(t('act.reject'), tx('services.reject', { application: app.id, reason: reason.trim() }))}>
        {t('act.reject')}
      </button>,
    );
  const canInvoice = officerHere && s.roles.includes('service_officer') && app.status === 'awaiting_payment' && (invoice === undefined || invoice.status === 'cancelled');
  if (canInvoice)
    buttons.push(
      <button
        type="button"
        onClick={() =>
          void act(t('act.invoice'), tx('payments.raise_invoice', { payer: app.applicant, amount: service.fee, currency: 'VND', purpose: `${service.name} fee`, ref: { module: 'services', key: `application/${app.id}` } } as never))
        }
      >
        {t('act.invoice')}
      </button>,
    );
  const canConfirm = treasury && invoice?.status === 'open';
  if (canConfirm)
    buttons.push(
      <button type="button" disabled={paymentRef.trim() === ''} onClick={() => void act(t('act.confirm'), tx('payments.confirm_payment', { invoice: invoice!.id, paymentRef: paymentRef.trim() }))}>
        {t('act.confirm')}
      </button>,
    );
  const canIssue = isAgency && app.status === 'approved' && service.credential !== undefined && app.credential === undefined;
  if (canIssue) buttons.push(<button type="button" onClick={() => void act(t('act.issue'), () => issue(props.v, claims))}>{t('act.issue')}</button>);
  const canRevoke = isAgency && app.credential !== undefined;
  if (canRevoke)
    buttons.push(
      <button type="button" class="danger" onClick={() => void act(t('act.revoke'), tx('services.set_credential_status', { list: app.credential!.list, idx: app.credential!.idx, status: 'revoked' }))}>
        {t('act.revoke')}
      </button>,
    );
  const canResubmit = mine && app.status === 'info_requested';
  if (canResubmit)
    buttons.push(
      <button
        type="button"
        disabled={Object.keys(files).length === 0}
        onClick={() =>
          void act(t('act.resubmit'), async () => {
            const documents: Record<string, string> = {};
            for (const [name, f] of Object.entries(files)) documents[name] = (await uploadDocument(new Uint8Array(await f.arrayBuffer()), f.type)).digest;
            return signAndSubmit('services.resubmit', { application: app.id, documents });
          })
        }
      >
        {t('act.resubmit')}
      </button>,
    );
  if (buttons.length === 0 && state.kind === 'idle') return open && (officerHere || treasury) ? <p class="small">{t('act.nothing')}</p> : null;
  return (
    <section aria-labelledby="act-h" class="act">
      <h2 id="act-h">{t('act.title')}</h2>
      {(needsReason || (stepOfficer && app.status === 'in_review')) && (
        <>
          <label class="block" for="reason">
            {t('act.reason')}
          </label>
          <textarea id="reason" rows={2} value={reason} aria-describedby="reason-help" onInput={(e) => setReason((e.currentTarget as HTMLTextAreaElement).value)} />
          <p id="reason-help" class="small">
            {t('act.reason.help')}
          </p>
        </>
      )}
      {canConfirm && (
        <>
          <label class="block" for="payment-ref">
            {t('act.paymentRef')}
          </label>
          <input type="text" id="payment-ref" value={paymentRef} onInput={(e) => setPaymentRef((e.currentTarget as HTMLInputElement).value)} />
        </>
      )}
      {canIssue && (
        <>
          <label class="block" for="claims">
            {t('act.claims')}
          </label>
          <textarea id="claims" rows={3} value={claims} aria-describedby="claims-help" onInput={(e) => setClaims((e.currentTarget as HTMLTextAreaElement).value)} />
          <p id="claims-help" class="small">
            {t('act.claims.help')}
          </p>
        </>
      )}
      {canResubmit &&
        service.documents.map((d) => (
          <div key={d.name}>
            <label class="block" for={`re-${d.name}`}>
              {t('apply.document', { name: d.name })}
            </label>
            <input
              type="file"
              id={`re-${d.name}`}
              onChange={(e) => {
                const f = (e.currentTarget as HTMLInputElement).files?.[0];
                if (f !== undefined) setFiles((x) => ({ ...x, [d.name]: f }));
              }}
            />
          </div>
        ))}
      <p class="actions">{buttons}</p>
      <p class="small">{t('act.signed')}</p>
    </section>
  );
}

/** The outcome of the last action, announced politely. */
function ActOutcome(props: { state: ActState }): JSX.Element {
  const { t } = useI18n();
  const state = props.state;
  return (
    <div aria-live="polite">
      {state.kind === 'busy' && <p aria-busy="true">{t('act.busy', { what: state.what })}</p>}
      {state.kind === 'done' && (
        <Verdict kind="ok" title={t('act.done', { what: state.what })} testId="act-done">
          <p>
            <Link href={`/txs/${state.txid}`}>
              <Mono>{state.txid}</Mono>
            </Link>
          </p>
        </Verdict>
      )}
      {state.kind === 'fail' && (
        <Verdict kind="fail" title={t('act.failed')} testId="act-failed">
          <p>{state.reason}</p>
        </Verdict>
      )}
    </div>
  );
}

/**
 * Issue the credential of an approved application, as the agency: an SD-JWT VC signed in
 * the browser with the agency's key (the SDK's credentials entry, loaded only here), every
 * claim selectively disclosable; record its digest and a free status-list entry on the
 * ledger (`services.issue_credential`), then deliver it to the applicant's documents.
 */
async function issue(v: VerifiedApplication, claimsText: string): Promise<{ txid: string }> {
  const { issueCredential } = await import('@govchain/sdk/credentials');
  const claims: Record<string, string> = {};
  for (const line of claimsText.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) claims[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const signer = await sessionSigner();
  const list = v.service.id;
  let idx = 0;
  while ((await verifiedState('services', `statusidx/${v.app.agency}/${list}/${idx}`)).value !== null) {
    idx++;
    if (idx >= 4096) throw new Error(`status list ${list} is full`);
  }
  const { sdJwt, digest } = await issueCredential({
    issuer: signer,
    vct: v.service.credential!,
    subject: v.app.applicant,
    claims,
    disclosable: Object.keys(claims),
    status: { list, idx },
    application: v.app.id,
  });
  const r = await signAndSubmit('services.issue_credential', { application: v.app.id, digest, list, idx });
  await authedJson('/v1/documents', { content: toBase64(utf8(sdJwt)), mediaType: 'application/dc+sd-jwt', application: v.app.id });
  return r;
}

