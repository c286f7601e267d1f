/**
 * Sign-in. Under `npm start` the API answers loopback callers without it, and there is no
 * `config.json`. The stack deploys `config.json` naming its Cognito user pool's hosted sign-in; the
 * console then uses the authorization-code flow with PKCE and sends the ID token to the API, whose
 * Cognito authorizer verifies it. No secret is ever held by the page.
 */
interface CognitoConfig {
  /** e.g. https://audiohook-console-123.auth.eu-west-1.amazoncognito.com */
  domain: string;
  clientId: string;
}

interface ConsoleConfig {
  cognito?: CognitoConfig;
}

const TOKEN_KEY = 'console.idToken';
const VERIFIER_KEY = 'console.pkceVerifier';
let config: Promise<ConsoleConfig> | undefined;

function loadConfig(): Promise<ConsoleConfig> {
  config ??= fetch(`${import.meta.env.BASE_URL}config.json`, { cache: 'no-store' })
    .then((r) => (r.ok && r.headers.get('content-type')?.includes('json') ? (r.json() as Promise<ConsoleConfig>) : {}))
    .catch(() => ({}));
  return config;
}

const redirectUri = () => `${location.origin}${import.meta.env.BASE_URL}`;

export async function authorization(): Promise<Record<string, string>> {
  const { cognito } = await loadConfig();
  if (!cognito) return {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token || expired(token)) {
    await signIn();
    return {};
  }
  return { authorization: token };
}

/** Sends the browser to the hosted sign-in page (a no-op without Cognito). */
export async function signIn(): Promise<void> {
  const { cognito } = await loadConfig();
  if (!cognito) return;
  sessionStorage.removeItem(TOKEN_KEY);
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email',
    code_challenge_method: 'S256',
    code_challenge: challenge,
    state: location.pathname,
  });
  location.assign(`${cognito.domain}/oauth2/authorize?${query}`);
}

/** Back from the hosted sign-in page: trade the code for tokens, return to where the user was. */
export async function completeSignIn(): Promise<void> {
  const { cognito } = await loadConfig();
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const verifier = sessionStorage.getItem(VERIFIER_KEY);
  if (!cognito || !code || !verifier) return;
  const response = await fetch(`${cognito.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: cognito.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: verifier,
    }),
  });
  sessionStorage.removeItem(VERIFIER_KEY);
  if (!response.ok) return;
  const tokens = (await response.json()) as { id_token?: string };
  if (tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
  const back = params.get('state');
  history.replaceState(null, '', back?.startsWith(import.meta.env.BASE_URL) ? back : import.meta.env.BASE_URL);
}

export async function signOut(): Promise<void> {
  const { cognito } = await loadConfig();
  sessionStorage.removeItem(TOKEN_KEY);
  if (cognito)
    location.assign(`${cognito.domain}/logout?${new URLSearchParams({ client_id: cognito.clientId, logout_uri: redirectUri() })}`);
}

export async function usesSignIn(): Promise<boolean> {
  return (await loadConfig()).cognito !== undefined;
}

function expired(jwt: string): boolean {
  try {
    const payload = JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return !payload.exp || payload.exp * 1000 < Date.now() + 30_000;
  } catch {
    return true;
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
