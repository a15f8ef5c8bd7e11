/**
 * The portal shell: skip link, header with navigation and language switch, the current
 * page in <main>, footer. It loads the chain status and the trusted validator keys once
 * and hands them to pages through ChainContext.
 */
import { createContext, type JSX } from 'preact';
import { useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { StatusResponse } from '@govchain/sdk';
import { I18nContext, LANGS, applyLang, initialLang, makeI18n, useI18n, type Lang } from './i18n.js';
import { client, loadTrust, type Trust } from './chain.js';
import { Link, useLocation } from './router.js';
import { matchRoute, routes, visibleTo } from './routes.js';
import { setSessionTrust, useSession } from './session.js';
import { kindKey } from './pages/sign-in.js';
import { PageTitle, Show, useLoad } from './components.js';

/** What every page may need about the chain. */
export interface ChainInfo {
  status: StatusResponse;
  trust: Trust;
  setTrust(t: Trust): void;
}
export const ChainContext = createContext<ChainInfo | undefined>(undefined);

/** The chain info (pages render inside the loaded shell, so it is always there). */
export function useChain(): ChainInfo {
  return useContext(ChainContext)!;
}

export function App(): JSX.Element {
  const [lang, setLang] = useState<Lang>(initialLang);
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  useEffect(() => applyLang(lang), [lang]);
  const { path } = useLocation();
  const loaded = useLoad(async () => {
    const status = await client.status();
    return { status, trust: await loadTrust(status.chainId) };
  }, []);
  const [trust, setTrust] = useState<Trust | undefined>(undefined);
  const t = i18n.t;
  const found = matchRoute(path);
  const session = useSession();
  if (loaded.state === 'done') setSessionTrust(trust ?? loaded.value.trust);
  return (
    <I18nContext.Provider value={i18n}>
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <header class="top">
        <div class="top-inner">
          <Link href="/" class="brand">
            {t('app.name')}
          </Link>
          <nav aria-label={t('nav.label')}>
            <ul>
              {routes
                .filter((r) => r.nav !== undefined && visibleTo(r, session))
                .map((r) => (
                  <li key={r.nav!.href}>
                    <Link href={r.nav!.href} aria-current={found?.route === r ? 'page' : undefined}>
                      {t(r.nav!.label)}
                    </Link>
                  </li>
                ))}
            </ul>
          </nav>
          {session !== undefined && (
            <p class="who" data-testid="who">
              {t('nav.signedInAs', { kind: t(kindKey(session.kind)) })}
            </p>
          )}
          <LangSwitch lang={lang} setLang={setLang} />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Show loaded={loaded}>
          {(v) => (
            <ChainContext.Provider value={{ status: v.status, trust: trust ?? v.trust, setTrust }}>
              <div key={path} class="page">{found === undefined ? <NotFound /> : found.route.render(found.match)}</div>
            </ChainContext.Provider>
          )}
        </Show>
      </main>
      <footer class="bottom">
        <p>{t('footer.verified')}</p>
        <p>
          <a href="/docs">{t('footer.api')}</a> · {t('app.tagline')}
        </p>
      </footer>
    </I18nContext.Provider>
  );
}

function LangSwitch(props: { lang: Lang; setLang(l: Lang): void }): JSX.Element {
  const { t } = useI18n();
  return (
    <div class="lang" role="group" aria-label={t('lang.label')}>
      {LANGS.map((l) => (
        <button type="button" key={l} lang={l} aria-pressed={props.lang === l} onClick={() => props.setLang(l)}>
          {t(l === 'vi' ? 'lang.vi' : 'lang.en')}
        </button>
      ))}
    </div>
  );
}

function NotFound(): JSX.Element {
  const { t } = useI18n();
  return (
    <section>
      <PageTitle>{t('notfound.title')}</PageTitle>
      <p>{t('notfound.body')}</p>
      <p>
        <Link href="/">{t('notfound.home')}</Link>
      </p>
    </section>
  );
}
