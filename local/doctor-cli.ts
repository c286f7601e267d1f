/**
 * `npm run doctor -- --url wss://… --api-url https://…`: the checks a Genesys admin runs after
 * deploying, with a plain-language verdict per step (see HELP).
 */
import './quiet-logs.ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AUDIOHOOK_PATH } from '#core/contract/gateway-endpoints.ts';
import { EXIT, UsageError, intFlag, loadCommandEnv, parseFlags } from './command-env.ts';

const HELP = `usage: npm run doctor -- --url wss://HOST${AUDIOHOOK_PATH} [--api-url https://API] [options]
       npm run doctor            (no --url: the npm start running in this checkout)

Checks a deployment the way Genesys Cloud and your CTI will use it, and says in plain words what works:
  1. the TLS certificate and chain of the AudioHook and API hosts
  2. the connection probe Genesys sends when the integration is saved
  3. a signed session carrying a short synthetic call
  4. start-streaming and stop-streaming through the API around that call
  5. one transcript webhook to your target, with the webhook's own authentication

options
  --url URL            the AudioHook connection URI (required unless npm start runs here)
  --api-url URL        the API base URL (stack output ApiUrl); without it steps 4 are skipped
  --api-key KEY        the AudioHook API key (default AUDIOHOOK_API_KEY); its client secret is read
                       from AUDIOHOOK_CLIENT_SECRET only (never a flag: it would show in ps)
  --api-id ID          asapp-api-id (default API_ID); the secret from API_SECRET
                       Against a local npm start (a loopback URL) the development credentials are the default.
  --ca-file PATH       also trust this CA for the TLS check (a private CA; Genesys itself will not)
  --seconds N          length of the synthetic call (default 8)
  --webhook-url URL    the webhook target (default WEBHOOK_URL); auth from the WEBHOOK_* variables
                       exactly as the webhook function reads them (lambdas/webhook-delivery/README.md)
  --json               one JSON object
  -h, --help           this text

exit codes: 0 every check passed or only warned; 1 at least one check failed; 2 bad flags; 3 the
AudioHook host could not be reached at all (DNS, connection refused, timeout).
`;

const { values } = parseFlags(
  () =>
    parseArgs({
      options: {
        url: { type: 'string' },
        'api-url': { type: 'string' },
        'api-key': { type: 'string' },
        'api-id': { type: 'string' },
        'ca-file': { type: 'string' },
        seconds: { type: 'string' },
        'webhook-url': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  HELP,
);

const { checkCall, checkProbe, checkTls, checkWebhook } = await import('./doctor/checks.ts');
type Verdict = import('./doctor/checks.ts').Verdict;
const { loadCallAudio } = await import('./simulator/wav-source.ts');
const { DEV_AUDIOHOOK_API_KEY, DEV_AUDIOHOOK_CLIENT_SECRET } = await import('#gateway/audiohook/dev-credentials.ts');
const { DEV_API_ID, DEV_API_SECRET } = await import('./dev-credentials.ts');

const SAMPLE = fileURLToPath(new URL('../samples/sample-call.wav', import.meta.url));
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

function parseUrl(name: string, raw: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${name} is not a URL`);
  }
  if (!protocols.includes(url.protocol)) throw new UsageError(`--${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return url;
}

async function main(): Promise<number> {
  // Without --url: the running npm start of this checkout, its gateway, API and webhook target.
  if (!values.url) loadCommandEnv('doctor', undefined, []);
  const rawUrl = values.url ?? process.env.LOCAL_AUDIOHOOK_URL;
  if (!rawUrl) throw new UsageError('--url is required (--help), or start npm start in this checkout to check it');
  const url = parseUrl('url', rawUrl, ['wss:', 'ws:']);
  const rawApiUrl = values['api-url'] ?? (values.url ? undefined : process.env.LOCAL_API_URL);
  const apiUrl = rawApiUrl ? parseUrl('api-url', rawApiUrl, ['https:', 'http:']) : undefined;
  const seconds = intFlag('seconds', values.seconds, 8, 1, 120);
  const local = LOOPBACK.has(url.hostname);
  const apiKey = values['api-key'] ?? process.env.AUDIOHOOK_API_KEY ?? (local ? DEV_AUDIOHOOK_API_KEY : undefined);
  const clientSecret = process.env.AUDIOHOOK_CLIENT_SECRET ?? (local && !values['api-key'] ? DEV_AUDIOHOOK_CLIENT_SECRET : undefined);
  if (!apiKey)
    throw new UsageError(
      'give the AudioHook API key (--api-key or AUDIOHOOK_API_KEY) and, if the integration has one, AUDIOHOOK_CLIENT_SECRET',
    );
  const apiId = values['api-id'] ?? process.env.API_ID ?? (local ? DEV_API_ID : undefined);
  const apiSecret = process.env.API_SECRET ?? (local && !values['api-id'] ? DEV_API_SECRET : undefined);
  const ca = values['ca-file'] ? readFileSync(values['ca-file'], 'utf8') : undefined;

  const verdicts: Verdict[] = [];
  const report = (v: Verdict) => {
    verdicts.push(v);
    if (!values.json) process.stdout.write(`  ${v.status.toUpperCase().padEnd(5)} ${v.step}: ${v.summary}\n`);
  };
  if (!values.json) process.stdout.write(`doctor: ${url.origin}${url.pathname}${apiUrl ? `, API ${apiUrl.origin}` : ''}\n`);

  report(await checkTls(url, ca ? { ca } : {}));
  if (apiUrl && apiUrl.host !== url.host) report(await checkTls(apiUrl, ca ? { ca } : {}));
  const creds = { apiKey, ...(clientSecret ? { clientSecret } : {}) };
  const probe = await checkProbe(url.href, creds);
  report(probe);
  if (probe.status === 'fail') {
    report({ step: 'signed session', status: 'skip', summary: 'skipped: the probe failed, so a call would fail the same way' });
  } else {
    const full = loadCallAudio(SAMPLE);
    const audio = { channels: full.channels, mulaw: full.mulaw.subarray(0, Math.min(full.mulaw.length, seconds * 8_000 * full.channels)) };
    if (!values.json) process.stderr.write(`doctor: playing a ${seconds} s synthetic call…\n`);
    const api = apiUrl && apiId && apiSecret ? { baseUrl: apiUrl.href, apiId, apiSecret } : undefined;
    for (const v of await checkCall({ url: url.href, creds, audio, ...(api ? { api } : {}) })) report(v);
  }
  const webhookEnv: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('WEBHOOK_')) webhookEnv[k] = v;
  if (values['webhook-url']) webhookEnv.WEBHOOK_URL = values['webhook-url'];
  report(await checkWebhook(webhookEnv));

  const failed = verdicts.filter((v) => v.status === 'fail').length;
  const warned = verdicts.filter((v) => v.status === 'warn').length;
  if (values.json) process.stdout.write(`${JSON.stringify({ ok: failed === 0, verdicts })}\n`);
  else {
    process.stdout.write(
      failed === 0
        ? `verdict: ready${warned ? `, with ${warned} warning${warned > 1 ? 's' : ''} to look at` : ''}\n`
        : `verdict: NOT ready: ${failed} check${failed > 1 ? 's' : ''} failed (see FAIL above)\n`,
    );
  }
  if (failed === 0) return EXIT.ok;
  return probe.details?.unreachable ? EXIT.unreachable : EXIT.problem;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    process.stderr.write(`doctor: ${e.message}\n`);
    process.exit(e instanceof UsageError ? EXIT.usage : EXIT.problem);
  },
);
