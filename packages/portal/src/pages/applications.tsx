/**
 * Lists of applications: "My applications" for a citizen or business, and the officer's
 * work queue (applications of their agency at a step their role does, the treasury's
 * invoices to confirm, the agency's credentials to issue). The list comes from
 * `GET /v1/applications`; every entry shown is read again with its state proof and
 * verified here. Sorted by deadline (ledger time), overdue ones highlighted.
 */
import type { JSX } from 'preact';
import { authedJson, type Session } from '../session.js';
import { canAct, loadApplication, type VerifiedApplication, type WorkListEntry } from '../applications.js';
import { Mono, PageTitle, Show, Time, Verdict, useLoad } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Link } from '../router.js';
import { WithSession } from './identity.js';
import { statusKey } from './application.js';

export function MyApplicationsPage(): JSX.Element {
  const { t } = useI18n();
  return <WithSession title={t('apps.title')}>{(s) => <AppList session={s} mode="mine" />}</WithSession>;
}

export function WorkQueuePage(): JSX.Element {
  const { t } = useI18n();
  return <WithSession title={t('queue.title')}>{(s) => <AppList session={s} mode="queue" />}</WithSession>;
}

/** What the signed-in officer or agency has to do on an application now, if anything. */
function todo(v: VerifiedApplication, s: Session): MessageKey | undefined {
  const a = v.app;
  if (s.kind === 'agency') return a.status === 'approved' && v.service.credential !== undefined && a.credential === undefined ? 'queue.todo.issue' : undefined;
  if (s.roles.includes('treasury_officer') && v.invoice?.status === 'open') return 'queue.todo.confirm';
  if (a.status === 'awaiting_payment' && s.roles.includes('service_officer') && s.agency === a.agency && (v.invoice === undefined || v.invoice.status === 'cancelled')) return 'queue.todo.invoice';
  if (a.status === 'awaiting_payment') return undefined;
  if (canAct(v, s.roles) && s.agency === a.agency) return a.status === 'submitted' ? 'queue.todo.accept' : a.status === 'info_requested' ? 'queue.todo.waiting' : 'queue.todo.review';
  return undefined;
}

function AppList(props: { session: Session; mode: 'mine' | 'queue' }): JSX.Element {
  const { t } = useI18n();
  const s = props.session;
  const loaded = useLoad(async () => {
    const { applications } = await authedJson<{ applications: WorkListEntry[] }>('/v1/applications');
    const wanted = applications.filter((a) => (props.mode === 'mine' ? a.relation === 'applicant' : a.relation !== 'applicant'));
    const verified: VerifiedApplication[] = [];
    for (const a of wanted) verified.push(await loadApplication(a.id));
    verified.sort((x, y) => Number(y.overdue) - Number(x.overdue) || x.app.deadline.localeCompare(y.app.deadline));
    return verified;
  }, [s.did, props.mode]);
  const title = t(props.mode === 'mine' ? 'apps.title' : 'queue.title');
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <p class="lead">{t(props.mode === 'mine' ? 'apps.intro' : 'queue.intro', { roles: s.roles.join(', ') || t(s.kind === 'agency' ? 'kind.agency' : 'signin.noRoles') })}</p>
      <Show loaded={loaded}>
        {(list) => {
          const shown = props.mode === 'mine' ? list : list.filter((v) => todo(v, s) !== undefined || v.overdue);
          const overdue = shown.filter((v) => v.overdue).length;
          return (
            <>
              {shown.length > 0 && <Verdict kind="ok" title={t('apps.verified', { n: shown.length })} />}
              {overdue > 0 && <Verdict kind="fail" title={t('apps.overdueCount', { n: overdue })} testId="overdue" />}
              {shown.length === 0 ? (
                <p data-testid="empty">{t(props.mode === 'mine' ? 'apps.none' : 'queue.none')}</p>
              ) : (
                <ul class="cards" data-testid="app-list">
                  {shown.map((v) => {
                    const job = props.mode === 'queue' ? todo(v, s) : undefined;
                    return (
                      <li class={`card${v.overdue ? ' card-overdue' : ''}`} key={v.app.id} data-testid="app-card">
                        <p>
                          <Link href={`/applications/${v.app.id}`}>{v.service.name}</Link>
                        </p>
                        <p>
                          {t('app.status')}: <strong>{t(statusKey(v.app.status))}</strong>
                          {job !== undefined && <> · {t(job)}</>}
                        </p>
                        <p class="small">
                          {t('app.deadline')}: <Time iso={v.app.deadline} /> {v.overdue && <span class="badge badge-overdue">{t('app.overdue')}</span>}
                        </p>
                        <p class="small">
                          <Mono>{v.app.id}</Mono>
                        </p>
                      </li>
                    );
                  })}
                </ul>
              )}
            </>
          );
        }}
      </Show>
    </>
  );
}
