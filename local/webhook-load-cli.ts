/**
 * `npm run webhook-load -- --url … --calls N --minutes M [auth flags]`: load-tests the customer's own
 * webhook target with realistic transcript traffic, through the service's own delivery code (see HELP).
 */
import './quiet-logs.ts';
import { parseArgs } from 'node:util';
import { WEBHOOK_AUTH_MODES } from '#core/contract/webhook-auth.ts';
import { EXIT, UsageError, intFlag, loadEnvFile, parseFlags } from './command-env.ts';

const HELP = `usage: npm run webhook-load -- --url URL [--calls N] [--minutes M] [auth flags] [options]

Sends realistic transcript webhooks to YOUR target, the way the service does: the exact body shape,
each call's messages one after another in order, about --rate utterances per minute per call, with
bursts at turn changes. Calls start spread over the ramp, so the load climbs from one call to all of
them; the report says at how many concurrent calls the target started to fail.

load
  --url URL               the webhook target (required; http only with --auth-mode none)
  --calls N               concurrent calls at full load (default 10, at most 2000)
  --minutes M             length of the run, decimals allowed (default 1, at most 120)
  --rate N                utterances per minute per call (default 10, at most 120)
  --ramp-seconds S        calls start evenly over this time (default: half the run, at most 60 s)
  --timeout-ms MS         per request, as WEBHOOK_TIMEOUT_MS (default 5000)
  --fail-threshold PCT    the first 5-second window (shorter in short runs) with more failures
                          than this, in percent (default 1), marks where the target starts to fail
  --redaction-output R    redacted (default), unredacted (with word tokens) or redacted_and_unredacted
  --seed N                vary the synthetic calls (default 1)

authentication (the service's modes; flags override the WEBHOOK_* variables of the same meaning)
  --auth-mode MODE        ${WEBHOOK_AUTH_MODES.join(', ')}; custom-ca combines with the
                          others: custom-ca+mtls, custom-ca+secret-token, custom-ca+oauth2
  --ca-file PATH          custom-ca: PEM bundle that replaces the system roots
  --cert-file PATH --key-file PATH   mtls: client certificate and key
  --token-name NAME --token-location header|query   secret-token
  --oauth2-token-url URL --oauth2-client-id ID [--oauth2-scope S] [--oauth2-audience A]
  [--oauth2-client-auth basic|post]                  oauth2 client credentials
  Secret values are read from the environment only, never from flags (they would show in ps):
  WEBHOOK_SECRET_TOKEN_VALUE, WEBHOOK_OAUTH2_CLIENT_SECRET, WEBHOOK_CLIENT_KEY_PASSPHRASE, or all
  of them from one Secrets Manager JSON secret: WEBHOOK_SECRET_ARN.

output
  --progress-seconds S    a progress line on stderr this often (default 5; 0: none)
  --json                  only the JSON line
  --env-file PATH         load environment variables first: KEY=value lines, or a JSON object such as
                          a deployed webhook function's (aws lambda get-function-configuration
                          --function-name NAME --query Environment.Variables)
  -h, --help              this text

Prints a summary and, last, one JSON line (delivered, failed, timeouts, latency percentiles,
breakingPoint). Exit codes: 0 the target kept up; 1 it failed above the threshold; 2 bad flags or
configuration; 3 nothing was delivered and the target could not be reached (a run stops early when
its first 10 requests all fail to connect); 130 interrupted (Ctrl-C; the report covers what was sent).
`;

const { values } = parseFlags(
  () =>
    parseArgs({
      options: {
        url: { type: 'string' },
        calls: { type: 'string' },
        minutes: { type: 'string' },
        rate: { type: 'string' },
        'ramp-seconds': { type: 'string' },
        'timeout-ms': { type: 'string' },
        'fail-threshold': { type: 'string' },
        'redaction-output': { type: 'string' },
        seed: { type: 'string' },
        'auth-mode': { type: 'string' },
        'ca-file': { type: 'string' },
        'cert-file': { type: 'string' },
        'key-file': { type: 'string' },
        'token-name': { type: 'string' },
        'token-location': { type: 'string' },
        'oauth2-token-url': { type: 'string' },
        'oauth2-client-id': { type: 'string' },
        'oauth2-scope': { type: 'string' },
        'oauth2-audience': { type: 'string' },
        'oauth2-client-auth': { type: 'string' },
        'progress-seconds': { type: 'string' },
        json: { type: 'boolean', default: false },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  HELP,
);
try {
  if (values['env-file']) loadEnvFile(values['env-file']);
} catch (error) {
  process.stderr.write(`webhook-load: ${(error as Error).message}\n`);
  process.exit(EXIT.usage);
}

const { loadWebhookConfig } = await import('#core/webhook/config.ts');
const { secretsManagerReader } = await import('#core/webhook/secrets.ts');
const { createDeliverer } = await import('#core/webhook/deliver.ts');
const { planLoad, runWebhookLoad } = await import('#core/load/webhook-load.ts');
type LoadSummary = import('#core/load/load-stats.ts').LoadSummary;

const MAX_PLANNED = 1_000_000;
/** Failed requests, none delivered and none answered at all, after which the target counts as unreachable. */
const UNREACHABLE_AFTER = 10;
const err = (line: string) => process.stderr.write(`${line}\n`);

/** Flags → the service's own WEBHOOK_* settings, on top of those in the environment. */
function webhookEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(process.env)) if (k.startsWith('WEBHOOK_')) env[k] = v;
  // Delivery-only settings of the function that mean nothing here.
  delete env.WEBHOOK_DLQ_URL;
  const flags: Array<[string, string | undefined]> = [
    ['WEBHOOK_URL', values.url],
    ['WEBHOOK_AUTH_MODE', values['auth-mode']],
    ['WEBHOOK_TIMEOUT_MS', values['timeout-ms']],
    ['WEBHOOK_CA_FILE', values['ca-file']],
    ['WEBHOOK_CLIENT_CERT_FILE', values['cert-file']],
    ['WEBHOOK_CLIENT_KEY_FILE', values['key-file']],
    ['WEBHOOK_SECRET_TOKEN_NAME', values['token-name']],
    ['WEBHOOK_SECRET_TOKEN_LOCATION', values['token-location']],
    ['WEBHOOK_OAUTH2_TOKEN_URL', values['oauth2-token-url']],
    ['WEBHOOK_OAUTH2_CLIENT_ID', values['oauth2-client-id']],
    ['WEBHOOK_OAUTH2_SCOPE', values['oauth2-scope']],
    ['WEBHOOK_OAUTH2_AUDIENCE', values['oauth2-audience']],
    ['WEBHOOK_OAUTH2_CLIENT_AUTH', values['oauth2-client-auth']],
  ];
  for (const [k, v] of flags) if (v !== undefined) env[k] = v;
  // A file flag replaces the inline PEM of the environment rather than clashing with it.
  if (values['ca-file']) delete env.WEBHOOK_CA_PEM;
  if (values['cert-file']) delete env.WEBHOOK_CLIENT_CERT_PEM;
  if (values['key-file']) delete env.WEBHOOK_CLIENT_KEY_PEM;
  return env;
}

function decimalFlag(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<number> {
  if (!values.url && !process.env.WEBHOOK_URL) throw new UsageError('--url is required (--help)');
  const calls = intFlag('calls', values.calls, 10, 1, 2_000);
  const minutes = decimalFlag('minutes', values.minutes, 1, 0.05, 120);
  const rate = intFlag('rate', values.rate, 10, 1, 120);
  const durationMs = Math.round(minutes * 60_000);
  const rampMs = Math.round(
    decimalFlag('ramp-seconds', values['ramp-seconds'], Math.min(60, durationMs / 2_000), 0, durationMs / 1_000) * 1_000,
  );
  const failThresholdPct = decimalFlag('fail-threshold', values['fail-threshold'], 1, 0, 100);
  const progressS = decimalFlag('progress-seconds', values['progress-seconds'], 5, 0, 3_600);
  const seed = intFlag('seed', values.seed, 1, 0, 2 ** 31);
  const redactionOutput = values['redaction-output'] ?? 'redacted';
  if (!['redacted', 'unredacted', 'redacted_and_unredacted'].includes(redactionOutput)) {
    throw new UsageError('--redaction-output must be redacted, unredacted or redacted_and_unredacted');
  }

  // Checked before the calls are planned: planning a huge run would itself take long.
  const estimate = Math.round(calls * minutes * rate);
  if (estimate > MAX_PLANNED)
    throw new UsageError(`about ${estimate} messages planned: at most ${MAX_PLANNED} per run (fewer calls, minutes or --rate)`);
  const env = webhookEnv();
  const config = await loadWebhookConfig(env, env.WEBHOOK_SECRET_ARN ? secretsManagerReader() : undefined);
  const plan = planLoad({ calls, durationMs, rampMs, utterancesPerMinute: rate, seed, redactionOutput: redactionOutput as 'redacted' });
  const planned = plan.reduce((n, c) => n + c.utterances.length, 0);
  if (planned > MAX_PLANNED)
    throw new UsageError(`${planned} messages planned: at most ${MAX_PLANNED} per run (fewer calls, minutes or --rate)`);
  // A run that sends nothing would report a target that "kept up".
  if (planned === 0) throw new UsageError(`no call speaks within ${minutes} min: give more --minutes (or a higher --rate)`);
  // The query string may carry the customer's own token: never printed.
  const target = `${config.url.origin}${config.url.pathname}`;
  const authModes = [...config.modes];
  if (!values.json) {
    err(
      `webhook-load: ${calls} calls over ${minutes} min, ${rate} utterances/min/call, ${planned} messages to ${target} (auth ${authModes.join('+')}); calls start over ${rampMs / 1000} s`,
    );
  }

  // Windows of 5 s; shorter runs get finer ones (at least 1 s) so the ramp is not one window.
  const windowMs = Math.min(5_000, Math.max(1_000, Math.round(durationMs / 30)));
  const deliverer = createDeliverer(config);
  const abort = new AbortController();
  let interrupted = false;
  process.once('SIGINT', () => {
    interrupted = true;
    err('webhook-load: interrupted; waiting for requests in flight, then reporting');
    abort.abort();
  });
  const started = Date.now();
  let stats: Awaited<ReturnType<typeof runWebhookLoad>> | undefined;
  // A target nobody can reach stops the run early instead of failing for all of --minutes.
  let unreachable = false;
  const reachability = setInterval(() => {
    if (!stats || stats.delivered > 0 || stats.failed < UNREACHABLE_AFTER) return;
    if ([...stats.reasons.keys()].some((r) => r.startsWith('status ') || r === 'timeout')) return;
    unreachable = true;
    err(`webhook-load: the first ${stats.failed} requests could not reach the target (${[...stats.reasons.keys()].join(', ')}): stopping`);
    abort.abort();
    clearInterval(reachability);
  }, 250);
  const progress =
    progressS > 0 && !values.json
      ? setInterval(() => {
          if (!stats) return;
          const s = Math.round((Date.now() - started) / 1000);
          err(
            `  ${s}s  calls ${stats.calls}/${calls}  sent ${stats.sent}/${planned}  delivered ${stats.delivered}  failed ${stats.failed}  timeouts ${stats.timeouts}  in flight ${stats.inFlight}`,
          );
        }, progressS * 1000)
      : undefined;
  try {
    const run = runWebhookLoad(plan, {
      deliver: (body) => deliverer.deliver(body),
      windowMs,
      signal: abort.signal,
      onStats: (s) => (stats = s),
    });
    stats = await run;
  } finally {
    clearInterval(reachability);
    if (progress) clearInterval(progress);
    deliverer.close();
  }
  const summary = stats.summary({
    target,
    authModes,
    calls,
    minutes,
    utterancesPerMinute: rate,
    planned,
    failThresholdPct,
    // Stopped before its end, by Ctrl-C or because the target could not be reached.
    interrupted: interrupted || unreachable,
    durationS: Math.round((Date.now() - started) / 100) / 10,
  });
  if (!values.json) process.stdout.write(humanReport(summary, windowMs));
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (interrupted) return 130;
  if (summary.delivered === 0 && summary.sent > 0 && Object.keys(summary.reasons).every((r) => !r.startsWith('status ')))
    return EXIT.unreachable;
  return summary.breakingPoint ? EXIT.problem : EXIT.ok;
}

function humanReport(s: LoadSummary, windowMs: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const reasons = Object.entries(s.reasons)
    .map(([r, c]) => `${r} ×${n(c)}`)
    .join(', ');
  const lines = [
    `webhook load test of ${s.target} (auth ${s.authModes.join('+')}): ${s.calls} calls, ${s.minutes} min, ${s.utterancesPerMinute} utterances/min/call${s.interrupted ? ' — stopped before its end' : ''}`,
    `  sent ${n(s.sent)} of ${n(s.planned)} planned in ${s.durationS} s: delivered ${n(s.delivered)}, failed ${n(s.failed)}, timeouts ${n(s.timeouts)}${reasons ? ` (${reasons})` : ''}`,
    `  latency of delivered requests: p50 ${s.latencyMs.p50} ms, p90 ${s.latencyMs.p90} ms, p95 ${s.latencyMs.p95} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`,
    `  load: up to ${s.peakCalls} live calls, ${s.peakInFlight} requests in flight at once`,
    s.breakingPoint
      ? `  the target started to fail at ${s.breakingPoint.calls} concurrent calls (${s.breakingPoint.inFlight} requests in flight), ${s.breakingPoint.atS} s in: ${s.breakingPoint.failurePct} % of the requests around then failed`
      : `  the target kept up: no ${windowMs / 1000}-second window had more than ${s.failThresholdPct} % failures`,
    s.lagMsMax > 1_000
      ? `  calls fell behind their schedule by up to ${n(Math.round(s.lagMsMax))} ms (p95 ${n(Math.round(s.lagMsP95))} ms): the target answers slower than calls speak`
      : `  every message left on schedule (lag p95 ${s.lagMsP95} ms)`,
  ];
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    if (e instanceof UsageError || e.name === 'WebhookConfigError') {
      err(`webhook-load: ${e.message}`);
      process.exit(EXIT.usage);
    }
    err(`webhook-load: ${e.name}: ${e.message}`);
    process.exit(EXIT.unreachable);
  },
);
