/**
 * Services and applying: the catalogue (each definition verified with its state proof);
 * to apply, each required document is uploaded encrypted off-ledger (`POST /v1/documents`,
 * only its SHA-256 digest comes back) and the application `services.submit` carrying the
 * digests is signed in the browser.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ServiceDefinition } from '../applications.js';
import { Mono, PageTitle, Show, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { signAndSubmit, uploadDocument, useSession, verifiedState } from '../session.js';
import { digestFile } from '../verify.js';

export function ServicesPage(): JSX.Element {
  const { t } = useI18n();
  const session = useSession();
  const loaded = useLoad(async () => {
    const res = (await (await fetch('/v1/services', { headers: { accept: 'application/json' } })).json()) as { services: ServiceDefinition[] };
    const out: Array<{ def: ServiceDefinition; verified: boolean }> = [];
    for (const s of res.services) {
      const v = await verifiedState<ServiceDefinition>('services', `service/${s.agency}/${s.id}`);
      if (v.value !== null) out.push({ def: v.value, verified: true });
    }
    const names = new Map<string, string>();
    for (const a of new Set(out.map((o) => o.def.agency))) names.set(a, (await verifiedState<{ name?: string }>('governance', `agency/${a}`)).value?.name ?? a);
    return { services: out, names, claimed: res.services.length };
  }, []);
  return (
    <>
      <PageTitle>{t('services.title')}</PageTitle>
      <p class="lead">{t('services.intro')}</p>
      <Show loaded={loaded}>
        {(v) => (
          <>
            {v.services.length !== v.claimed && <Verdict kind="fail" title={t('services.unproven', { n: v.claimed - v.services.length })} />}
            {v.services.length === 0 ? (
              <p>{t('services.none')}</p>
            ) : (
              <ul class="cards">
                {v.services.map(({ def }) => (
                  <li class="card" key={`${def.agency}/${def.id}`}>
                    <ServiceCard def={def} agencyName={v.names.get(def.agency) ?? def.agency} signedIn={session !== undefined} />
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </Show>
    </>
  );
}

function ServiceCard(props: { def: ServiceDefinition; agencyName: string; signedIn: boolean }): JSX.Element {
  const { t, num } = useI18n();
  const d = props.def;
  const [open, setOpen] = useState(false);
  const formId = `apply-${d.id}`;
  return (
    <>
      <h2 class="card-title">{d.name}</h2>
      <p class="small">
        {props.agencyName} · {t('services.version', { v: d.version })} · <span class="verified-mark">{t('services.verified')}</span>
      </p>
      <p>
        {d.fee > 0 ? t('services.fee', { fee: num(d.fee) }) : t('services.free')} · {t('services.limit', { days: d.timeLimitDays })}
      </p>
      <p class="small">{t('services.steps', { steps: d.steps.map((s) => s.name).join(' → ') })}</p>
      {d.documents.length > 0 && <p class="small">{t('services.documents', { docs: d.documents.map((x) => x.name).join(', ') })}</p>}
      {!props.signedIn ? (
        <p>
          <Link href="/sign-in">{t('services.signInToApply')}</Link>
        </p>
      ) : open ? (
        <ApplyForm def={d} formId={formId} />
      ) : (
        <p>
          <button type="button" onClick={() => setOpen(true)} aria-controls={formId} aria-expanded={open}>
            {t('services.apply', { name: d.name })}
          </button>
        </p>
      )}
    </>
  );
}

type ApplyState = { kind: 'idle' } | { kind: 'busy'; step: string } | { kind: 'done'; id: string } | { kind: 'fail'; reason: string };

function ApplyForm(props: { def: ServiceDefinition; formId: string }): JSX.Element {
  const { t } = useI18n();
  const d = props.def;
  const [files, setFiles] = useState<Record<string, File>>({});
  const [state, setState] = useState<ApplyState>({ kind: 'idle' });
  const complete = d.documents.every((doc) => files[doc.name] !== undefined);

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    try {
      const digests: Record<string, string> = {};
      for (const doc of d.documents) {
        const f = files[doc.name]!;
        setState({ kind: 'busy', step: t('apply.uploading', { name: doc.name }) });
        const bytes = new Uint8Array(await f.arrayBuffer());
        const { digest } = await uploadDocument(bytes, f.type);
        // The node answers the digest; it must be the file's own, computed here.
        const mine = (await digestFile(f)).digest;
        if (digest !== mine) throw new Error(t('apply.digestMismatch'));
        digests[doc.name] = digest;
      }
      setState({ kind: 'busy', step: t('apply.signing') });
      const r = await signAndSubmit('services.submit', { agency: d.agency, service: d.id, documents: digests });
      setState({ kind: 'done', id: r.txid });
    } catch (err) {
      setState({ kind: 'fail', reason: (err as Error).message });
    }
  }

  return (
    <form id={props.formId} onSubmit={(e) => void submit(e)} aria-label={t('services.apply', { name: d.name })}>
      {d.documents.map((doc) => (
        <div key={doc.name}>
          <label class="block" for={`${props.formId}-${doc.name}`}>
            {t('apply.document', { name: doc.name })}
          </label>
          <input
            type="file"
            id={`${props.formId}-${doc.name}`}
            required
            onChange={(ev) => {
              const f = (ev.currentTarget as HTMLInputElement).files?.[0];
              if (f !== undefined) setFiles((x) => ({ ...x, [doc.name]: f }));
            }}
          />
        </div>
      ))}
      <p class="small">{t('apply.privacy')}</p>
      <p>
        <button type="submit" disabled={!complete || state.kind === 'busy'}>
          {t('apply.submit')}
        </button>
      </p>
      <div aria-live="polite">
        {state.kind === 'busy' && <p aria-busy="true">{state.step}</p>}
        {state.kind === 'done' && (
          <Verdict kind="ok" title={t('apply.done')} testId="applied">
            <p>
              <Mono>{state.id}</Mono>
            </p>
            <p>
              <Link href={`/applications/${state.id}`}>{t('apply.follow')}</Link>
            </p>
          </Verdict>
        )}
        {state.kind === 'fail' && (
          <Verdict kind="fail" title={t('apply.failed')}>
            <p>{state.reason}</p>
          </Verdict>
        )}
      </div>
    </form>
  );
}
