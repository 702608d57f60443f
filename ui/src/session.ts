/**
 * The token the page signs in with. `registry ui` hands it over in the URL fragment
 * (`/ui/#token=…`), which a browser never sends to a server; the page takes it out of the address
 * bar at once and keeps it in this tab's sessionStorage only, so a reload or a reconnection signs
 * in again and closing the tab forgets it. It reaches the server only in an `authenticate` frame.
 */
const STORAGE_KEY = 'service-registry.dashboard.token';

/** The token of a login link, if the page was opened with one; the fragment is removed either way. */
export function takeTokenFromFragment(): string | undefined {
  if (location.hash === '') return undefined;
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  if (token !== undefined && token !== '') remember(token);
  return token;
}

export const storedToken = (): string | undefined => sessionStorage.getItem(STORAGE_KEY) ?? undefined;

export function remember(token: string): void {
  sessionStorage.setItem(STORAGE_KEY, token);
}

export function forget(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
