/**
 * Member agencies (GET /v1/agencies). Each agency record (`governance/agency/<did>`) and
 * the member list (`governance/agencies`) are proven against a verified checkpoint; what
 * is shown is the proven value, and the node's list must agree with it.
 */
import type { JSX } from 'preact';
import { useChain } from '../app.js';
import { Mono, PageTitle, ProvenVerdict, ShowVerified, useLoad } from '../components.js';
import { useI18n } from '../i18n.js';
import { Link } from '../router.js';
import { checkSummary, getJson, proveRecords, withRetry } from '../registry.js';
import { VerificationError } from '../verify.js';

interface AgencyAnswer {
  did: string;
  name: string;
  authorities: string[];
  member: boolean;
  created: number;
  deactivated?: number;
}
interface AgencyRecord {
  did: string;
  name?: string;
  authorities?: string[];
  created: number;
  deactivated?: number;
}

export function AgenciesPage(): JSX.Element {
  const { t, num } = useI18n();
  const { trust } = useChain();
  const loaded = useLoad(
    () =>
      withRetry(async () => {
        const answer = (await getJson<{ threshold: number; agencies: AgencyAnswer[] }>('/v1/agencies'))!;
        const p = await proveRecords<AgencyRecord | string[]>(trust, 'governance', ['agencies', ...answer.agencies.map((a) => `agency/${a.did}`)]);
        const members = (p.values.get('agencies') as string[] | null) ?? [];
        const agencies = answer.agencies.map((a) => {
          const rec = p.values.get(`agency/${a.did}`) as AgencyRecord | null;
          if (rec === null) throw new VerificationError(`agency ${a.did} is not in the proven state`);
          const proven = { did: rec.did, name: rec.name ?? '', authorities: rec.authorities ?? [], member: members.includes(rec.did), created: rec.created, ...(rec.deactivated !== undefined ? { deactivated: rec.deactivated } : {}) };
          checkSummary(a.did, a, proven);
          return proven;
        });
        return { agencies, checkpoint: p.checkpoint, threshold: answer.threshold };
      }),
    [trust],
  );
  return (
    <>
      <PageTitle>{t('agencies.title')}</PageTitle>
      <p class="lead">{t('agencies.intro')}</p>
      <ShowVerified loaded={loaded}>
        {({ agencies, checkpoint, threshold }) => (
          <>
            <ProvenVerdict count={agencies.length + 1} checkpoint={checkpoint} />
            <p>{t('agencies.threshold', { threshold })}</p>
            <ul class="cards" data-testid="agencies">
              {agencies.map((a) => (
                <li key={a.did} class="card">
                  <h2 class="card-title">{a.name}</h2>
                  <p>
                    <Mono>{a.did}</Mono>
                  </p>
                  <p>
                    {t('agencies.authorities')}: {a.authorities.length === 0 ? t('none') : a.authorities.join(', ')}
                  </p>
                  <p>
                    <span class={`badge ${a.member && a.deactivated === undefined ? 'badge-ok' : 'badge-info'}`}>{a.member && a.deactivated === undefined ? t('agencies.member') : t('agencies.removed')}</span>{' '}
                    {a.created === 0 ? t('agencies.genesis') : <Link href={`/blocks/${a.created}`}>{t('agencies.since', { height: num(a.created) })}</Link>}
                  </p>
                </li>
              ))}
            </ul>
            <p>
              <Link href="/accountability">{t('agencies.performance')}</Link>
            </p>
          </>
        )}
      </ShowVerified>
    </>
  );
}
