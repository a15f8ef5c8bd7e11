/**
 * Health consent for the signed-in citizen (docs/registries.md, "Health consent"): the
 * consents they gave (grant, revoke) and every recorded access to their records, with
 * emergency (break-glass) accesses flagged. Consents (`health/consent/<id>`), the access
 * counter (`health/accesses/<did>`) and each access (`health/access/<did>/<n>`) are proven
 * in the page; no health data is on the ledger, only DIDs, categories, times and digests.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { toHex, type JsonValue } from '@govchain/core';
import { useChain } from '../app.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, Time, Verdict, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { checkSummary, getJson, proveRecords, withRetry } from '../registry.js';
import { useSession } from '../session.js';
import { SignInFirst, useSignedAction } from '../signed-actions.js';
import { VerificationError } from '../verify.js';

/** The health module's categories. */
const CATEGORIES = ['general', 'laboratory', 'imaging', 'prescriptions', 'immunisation', 'mental_health', 'genetic'] as const;

interface Consent {
  id: string;
  patient: string;
  provider: string;
  categories: string[];
  from: string;
  until: string;
  status: 'active' | 'revoked';
}
interface Access {
  n: number;
  provider: string;
  category: string;
  time: string;
  txid: string;
  consent?: string;
  emergency?: { reason: string };
  flagged: boolean;
  review?: { outcome: string };
}
interface Counter {
  count: number;
  flagged: number;
  reviewed: number;
}

export function HealthPage(): JSX.Element {
  const { t, num } = useI18n();
  const session = useSession();
  const { trust } = useChain();
  const [tick, setTick] = useState(0);
  const action = useSignedAction(() => setTick((n) => n + 1));
  const { busy, error } = action;
  const [provider, setProvider] = useState('');
  const [cats, setCats] = useState<string[]>(['general']);
  const [until, setUntil] = useState('');
  const loaded = useLoad(
    () =>
      session === undefined
        ? Promise.resolve(undefined)
        : withRetry(async () => {
            const did = encodeURIComponent(session.did);
            const [c, a] = await Promise.all([getJson<{ consents: Consent[] }>(`/v1/health/patients/${did}/consents`), getJson<Counter & { accesses: Access[] }>(`/v1/health/patients/${did}/accesses`)]);
            const keys = ['accesses/' + session.did, ...c!.consents.map((x) => `consent/${x.id}`), ...a!.accesses.map((x) => `access/${session.did}/${x.n}`)];
            const p = await proveRecords<Consent | Access | Counter>(trust, 'health', keys);
            const counter = (p.values.get(`accesses/${session.did}`) as Counter | null) ?? { count: 0, flagged: 0, reviewed: 0 };
            if (counter.count !== a!.accesses.length) throw new VerificationError(`the node lists ${a!.accesses.length} accesses, the proven counter ${counter.count}`);
            const consents = c!.consents.map((x) => {
              const v = p.values.get(`consent/${x.id}`) as Consent | null;
              checkSummary(`consent ${x.id}`, x, v);
              return v!;
            });
            const accesses = a!.accesses.map((x) => {
              const v = p.values.get(`access/${session.did}/${x.n}`) as Access | null;
              checkSummary(`access ${x.n}`, x, v);
              return v!;
            });
            return { consents, accesses, counter, checkpoint: p.checkpoint, count: keys.length };
          }),
    [trust, session?.did, tick],
  );
  if (session === undefined) {
    return <SignInFirst title={t('health.title')} />;
  }
  const act = (type: string, payload: { [k: string]: JsonValue }): Promise<boolean> => action.run(type, payload);
  return (
    <>
      <PageTitle>{t('health.title')}</PageTitle>
      <p class="lead">{t('health.intro')}</p>
      {error !== undefined && <Verdict kind="fail" title={error} testId="health-error" />}
      <ShowVerified loaded={loaded}>
        {(v) =>
          v === undefined ? null : (
            <>
              <ProvenVerdict count={v.count} checkpoint={v.checkpoint} />
              <section aria-labelledby="consents-h">
                <h2 id="consents-h">{t('health.consents')}</h2>
                {v.consents.length === 0 ? (
                  <p>{t('health.noConsents')}</p>
                ) : (
                  <ul class="cards" data-testid="consents">
                    {v.consents.map((c) => (
                      <li key={c.id} class="card">
                        <p>
                          <Mono>{c.provider}</Mono>
                        </p>
                        <p>
                          {c.categories.map((x) => t(`health.cat.${x}` as 'health.cat.general')).join(', ')} · {t('health.until')} <Time iso={c.until} />
                        </p>
                        <p>
                          <span class={`badge ${c.status === 'active' ? 'badge-ok' : 'badge-info'}`}>{t(c.status === 'active' ? 'health.active' : 'health.revoked')}</span>{' '}
                          {c.status === 'active' && (
                            <button type="button" disabled={busy} onClick={() => void act('health.revoke', { consent: c.id })} aria-label={t('health.revokeOf', { provider: c.provider })}>
                              {t('health.revoke')}
                            </button>
                          )}
                        </p>
                      </li>
                    ))}
                  </ul>
                )}
              </section>
              <section aria-labelledby="accesses-h">
                <h2 id="accesses-h">{t('health.accesses')}</h2>
                <p data-testid="access-counts">{t('health.counts', { count: v.counter.count, flagged: v.counter.flagged })}</p>
                {v.accesses.length > 0 && (
                  <ol data-testid="accesses">
                    {v.accesses.map((a) => (
                      <li key={a.n} class={a.flagged ? 'flagged' : ''}>
                        {a.flagged && (
                          <>
                            <span class="badge badge-fail">{t('health.breakGlass')}</span>{' '}
                          </>
                        )}
                        <Time iso={a.time} /> · {t(`health.cat.${a.category}` as 'health.cat.general')} · <Mono>{a.provider}</Mono> · <Link href={`/txs/${a.txid}`}>{t('health.record')}</Link>
                        {a.review !== undefined && <> · {t('health.reviewed', { outcome: a.review.outcome })}</>}
                      </li>
                    ))}
                  </ol>
                )}
              </section>
            </>
          )
        }
      </ShowVerified>
      <section aria-labelledby="grant-h">
        <h2 id="grant-h">{t('health.grant')}</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void act('health.grant', { id: `C-${toHex(crypto.getRandomValues(new Uint8Array(6)))}`, provider: provider.trim(), categories: cats, until: new Date(`${until}T23:59:59Z`).toISOString() });
          }}
        >
          <p>
            <label for="hc-provider">{t('health.provider')}</label>
            <br />
            <input id="hc-provider" class="wide" type="text" required value={provider} onInput={(e) => setProvider((e.target as HTMLInputElement).value)} />
          </p>
          <fieldset>
            <legend>{t('health.categories')}</legend>
            {CATEGORIES.map((c) => (
              <p key={c}>
                <input id={`hc-${c}`} type="checkbox" checked={cats.includes(c)} onChange={(e) => setCats((e.target as HTMLInputElement).checked ? [...cats, c] : cats.filter((x) => x !== c))} />{' '}
                <label for={`hc-${c}`}>{t(`health.cat.${c}`)}</label>
              </p>
            ))}
          </fieldset>
          <p>
            <label for="hc-until">{t('health.untilField')}</label>
            <br />
            <input id="hc-until" type="date" required value={until} onInput={(e) => setUntil((e.target as HTMLInputElement).value)} />
          </p>
          <button type="submit" disabled={busy || cats.length === 0}>
            {t('health.grantButton')}
          </button>
        </form>
        <p class="small">{t('health.note', { n: num(CATEGORIES.length) })}</p>
      </section>
    </>
  );
}
