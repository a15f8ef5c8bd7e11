/**
 * The portal's pages. Each route names its audience: `public` pages need no sign-in;
 * `citizen` pages are listed in the navigation for a signed-in citizen, business or
 * unregistered key, `officer` pages for a signed-in officer or agency (session.ts). The
 * ledger, not the navigation, decides what anyone may do: every action is a signed
 * transaction checked against on-chain roles.
 */
import type { JSX } from 'preact';
import type { MessageKey } from './i18n.js';
import { ExplorerPage } from './pages/explorer.js';
import { BlockPage } from './pages/block.js';
import { TxPage } from './pages/tx.js';
import { CheckpointPage } from './pages/checkpoint.js';
import { VerifyPage } from './pages/verify.js';
import { AgenciesPage } from './pages/agencies.js';
import { AccountabilityPage } from './pages/accountability.js';
import { TenderPage, TendersPage } from './pages/tenders.js';
import { TaxPage } from './pages/tax.js';
import { ProductEntryPage, ProductPage } from './pages/product.js';
import { SignInPage } from './pages/sign-in.js';
import { CosignPage, LandOfficePage, LandPage } from './pages/land.js';
import { PublishTenderPage } from './pages/tender-actions.js';
import { HealthPage } from './pages/health.js';
import { IdentityPage } from './pages/identity.js';
import { ServicesPage } from './pages/services.js';
import { ApplicationPage } from './pages/application.js';
import { MyApplicationsPage, WorkQueuePage } from './pages/applications.js';
import { CredentialsPage } from './pages/credentials.js';
import { VerifyCredentialPage } from './pages/verify-credential.js';
import { HelpPage } from './pages/help.js';
import type { Session } from './session.js';

/** Who a page is for. */
export type Audience = 'public' | 'citizen' | 'officer';

/** One page of the portal. */
export interface Route {
  pattern: RegExp;
  render(match: RegExpExecArray): JSX.Element;
  audience: Audience;
  /** Shown in the navigation under this label, linking to `href`. */
  nav?: { label: MessageKey; href: string };
}

export const routes: Route[] = [
  { pattern: /^\/$/, render: () => <ExplorerPage />, audience: 'public', nav: { label: 'nav.explorer', href: '/' } },
  { pattern: /^\/verify$/, render: () => <VerifyPage />, audience: 'public', nav: { label: 'nav.verify', href: '/verify' } },
  { pattern: /^\/product$/, render: () => <ProductEntryPage />, audience: 'public', nav: { label: 'nav.product', href: '/product' } },
  { pattern: /^\/product\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, render: (m) => <ProductPage id={m[1]!} />, audience: 'public' },
  { pattern: /^\/tenders$/, render: () => <TendersPage />, audience: 'public', nav: { label: 'nav.tenders', href: '/tenders' } },
  { pattern: /^\/tenders\/([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, render: (m) => <TenderPage id={m[1]!} />, audience: 'public' },
  { pattern: /^\/accountability$/, render: () => <AccountabilityPage />, audience: 'public', nav: { label: 'nav.accountability', href: '/accountability' } },
  { pattern: /^\/tax$/, render: () => <TaxPage />, audience: 'public', nav: { label: 'nav.tax', href: '/tax' } },
  { pattern: /^\/agencies$/, render: () => <AgenciesPage />, audience: 'public', nav: { label: 'nav.agencies', href: '/agencies' } },
  { pattern: /^\/checkpoint$/, render: () => <CheckpointPage />, audience: 'public', nav: { label: 'nav.checkpoint', href: '/checkpoint' } },
  { pattern: /^\/verify-credential$/, render: () => <VerifyCredentialPage />, audience: 'public', nav: { label: 'nav.verifyCredential', href: '/verify-credential' } },
  { pattern: /^\/services$/, render: () => <ServicesPage />, audience: 'citizen', nav: { label: 'nav.services', href: '/services' } },
  { pattern: /^\/applications$/, render: () => <MyApplicationsPage />, audience: 'citizen', nav: { label: 'nav.applications', href: '/applications' } },
  { pattern: /^\/credentials$/, render: () => <CredentialsPage />, audience: 'citizen', nav: { label: 'nav.credentials', href: '/credentials' } },
  { pattern: /^\/identity$/, render: () => <IdentityPage />, audience: 'citizen', nav: { label: 'nav.identity', href: '/identity' } },
  { pattern: /^\/officer$/, render: () => <WorkQueuePage />, audience: 'officer', nav: { label: 'nav.officer', href: '/officer' } },
  { pattern: /^\/applications\/([0-9a-f]{64})$/, render: (m) => <ApplicationPage id={m[1]!} />, audience: 'citizen' },
  { pattern: /^\/help$/, render: () => <HelpPage />, audience: 'public', nav: { label: 'nav.help', href: '/help' } },
  { pattern: /^\/sign-in$/, render: () => <SignInPage />, audience: 'public', nav: { label: 'nav.signin', href: '/sign-in' } },
  { pattern: /^\/land$/, render: () => <LandPage />, audience: 'citizen', nav: { label: 'nav.land', href: '/land' } },
  { pattern: /^\/health$/, render: () => <HealthPage />, audience: 'citizen', nav: { label: 'nav.health', href: '/health' } },
  { pattern: /^\/land\/cosign$/, render: () => <CosignPage />, audience: 'citizen' },
  { pattern: /^\/officer\/land$/, render: () => <LandOfficePage />, audience: 'officer', nav: { label: 'nav.landOffice', href: '/officer/land' } },
  { pattern: /^\/officer\/tenders$/, render: () => <PublishTenderPage />, audience: 'officer', nav: { label: 'nav.publishTender', href: '/officer/tenders' } },
  { pattern: /^\/blocks\/([1-9][0-9]{0,15})$/, render: (m) => <BlockPage height={Number(m[1])} />, audience: 'public' },
  { pattern: /^\/txs\/([0-9a-f]{64})$/, render: (m) => <TxPage txid={m[1]!} />, audience: 'public' },
];

/** Whether the navigation lists `route` for `session` (public pages always). */
export function visibleTo(route: Route, session: Session | undefined): boolean {
  if (route.audience === 'public') return true;
  if (session === undefined) return false;
  const officer = session.kind === 'officer' || session.kind === 'agency';
  return route.audience === 'officer' ? officer : !officer;
}

/** The route of `path`, with its match. */
export function matchRoute(path: string): { route: Route; match: RegExpExecArray } | undefined {
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match !== null) return { route, match };
  }
  return undefined;
}
