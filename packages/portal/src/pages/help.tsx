/** Citizen help (issue 11): how to sign in, apply, pay, present and verify a credential. */
import type { JSX } from 'preact';
import { PageTitle } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { Link } from '../router.js';

const SECTIONS: Array<{ id: string; title: MessageKey; steps: MessageKey[]; link: { href: string; label: MessageKey } }> = [
  { id: 'sign-in', title: 'help.signin.title', steps: ['help.signin.1', 'help.signin.2', 'help.signin.3'], link: { href: '/sign-in', label: 'nav.signin' } },
  { id: 'apply', title: 'help.apply.title', steps: ['help.apply.1', 'help.apply.2', 'help.apply.3'], link: { href: '/services', label: 'nav.services' } },
  { id: 'pay', title: 'help.pay.title', steps: ['help.pay.1', 'help.pay.2', 'help.pay.3'], link: { href: '/applications', label: 'nav.applications' } },
  { id: 'present', title: 'help.present.title', steps: ['help.present.1', 'help.present.2', 'help.present.3'], link: { href: '/credentials', label: 'nav.credentials' } },
  { id: 'verify', title: 'help.verify.title', steps: ['help.verify.1', 'help.verify.2', 'help.verify.3'], link: { href: '/verify-credential', label: 'nav.verifyCredential' } },
];

export function HelpPage(): JSX.Element {
  const { t } = useI18n();
  return (
    <>
      <PageTitle>{t('help.title')}</PageTitle>
      <p class="lead">{t('help.intro')}</p>
      <nav aria-label={t('help.toc')}>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.id}>
              <a href={`#help-${s.id}`}>{t(s.title)}</a>
            </li>
          ))}
        </ul>
      </nav>
      {SECTIONS.map((s) => (
        <section key={s.id} aria-labelledby={`help-${s.id}`}>
          <h2 id={`help-${s.id}`}>{t(s.title)}</h2>
          <ol>
            {s.steps.map((k) => (
              <li key={k}>{t(k)}</li>
            ))}
          </ol>
          <p>
            <Link href={s.link.href}>{t(s.link.label)}</Link>
          </p>
        </section>
      ))}
      <h2>{t('help.safety.title')}</h2>
      <p>{t('help.safety')}</p>
    </>
  );
}
