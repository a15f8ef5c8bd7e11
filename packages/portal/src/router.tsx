/**
 * A tiny history-API router: paths like /blocks/7 are real URLs (the API serves
 * index.html for any unknown non-API path), links are plain <a href> upgraded to
 * client-side navigation, and after each navigation focus moves to the page heading so
 * screen-reader and keyboard users land on the new content.
 */
import type { AnchorHTMLAttributes, ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();

/** Go to `href` without reloading the page. */
export function navigate(href: string): void {
  history.pushState(null, '', href);
  document.body.dataset.navigated = '1';
  for (const l of listeners) l();
}

/** The current location (path and query), re-rendering on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = (): void => setTick((n) => n + 1);
    const popped = (): void => {
      document.body.dataset.navigated = '1';
      update();
    };
    listeners.add(update);
    addEventListener('popstate', popped);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', popped);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** An <a> that navigates inside the portal (plain clicks only; new-tab clicks stay native). */
export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string; children?: ComponentChildren }): JSX.Element {
  const onClick = (e: MouseEvent): void => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} onClick={onClick} />;
}
