/**
 * `npm run dlq -- list|show|replay`: the webhook dead-letter queue for an operator (see HELP).
 * Works against `npm start` (through its runtime file), LocalStack, or a deployed stack.
 */
import './quiet-logs.ts';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, intFlag, isLocalUrl, loadCommandEnv, parseFlags } from './command-env.ts';

const HELP = `usage: npm run dlq -- <list|show|replay> [options]

Webhook messages that could not be delivered wait in the dead-letter queue (DLQ). This command shows
them and sends them again when you ask.

  list              every dead letter: conversation, speaker, when, attempts, and why it failed
  show ID           one dead letter in full; ID is its SQS message id or the utterance's message id
  replay            deliver them to the webhook again with the webhook's own settings and
                    authentication, oldest first within each conversation, with no deadline; a
                    conversation stops at its first failure so nothing arrives out of order;
                    delivered messages are deleted from the DLQ, the rest stay

options
  --queue-url URL       the DLQ (default: WEBHOOK_DLQ_URL; for a deployed stack, its output
                        DeadLetterQueueUrl). Locally, the running npm start is found by itself.
  --conversation ID     only this conversation
  --limit N             read at most N messages (default 1000, at most 100000)
  --hold-seconds N      how long read messages stay hidden from other readers (default 60, replay 900)
  --body                show: also print the webhook body (it holds the transcript text)
  --dry-run             replay: say what would be sent; send and delete nothing
  --concurrency N       replay: conversations sent in parallel (default 4)
  --json                list: one JSON object per message; show/replay: one JSON object
  --env-file PATH       load environment variables first: KEY=value lines, or a JSON object such as
                        the deployed webhook function's, which holds everything replay needs
                        (aws lambda get-function-configuration --function-name NAME
                         --query Environment.Variables > webhook-env.json)
  -h, --help            this text

replay reads the webhook settings exactly as the webhook function does: WEBHOOK_URL, WEBHOOK_AUTH_MODE,
the secret variables or WEBHOOK_SECRET_ARN (see lambdas/webhook-delivery/README.md).

exit codes: 0 done (replay: every message replayed); 1 replay left messages in the DLQ, or show found
no such message; 2 bad flags or configuration; 3 the queue or the webhook's secret could not be reached.
`;

const { values, positionals } = parseFlags(
  () =>
    parseArgs({
      allowPositionals: true,
      options: {
        'queue-url': { type: 'string' },
        conversation: { type: 'string' },
        limit: { type: 'string' },
        'hold-seconds': { type: 'string' },
        body: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        json: { type: 'boolean', default: false },
        'env-file': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  HELP,
);
try {
  // A queue in AWS (--queue-url not on this machine) must not pick up a local npm start's stand-ins.
  const remote = values['queue-url'] !== undefined && !isLocalUrl(values['queue-url']);
  loadCommandEnv('dlq', values['env-file'], ['WEBHOOK_DLQ_URL', 'AWS_ENDPOINT_URL'], { findRunning: !remote });
} catch (error) {
  process.stderr.write(`dlq: ${(error as Error).message}\n`);
  process.exit(EXIT.usage);
}

// Imported once the environment is final: the SDK and the logger read it when first used.
const { DeadLetterQueue } = await import('#core/dead-letters/dead-letter-queue.ts');
type DeadLetterView = import('#core/dead-letters/dead-letter-queue.ts').DeadLetterView;
const { replayDeadLetters } = await import('#core/dead-letters/replay.ts');
type ReplaySummary = import('#core/dead-letters/replay.ts').ReplaySummary;

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
const iso = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'));

/** Progress on stderr, at most once a second. */
function throttled(print: () => string): { tick(): void; done(): void } {
  let last = 0;
  return {
    tick() {
      if (Date.now() - last < 1_000) return;
      last = Date.now();
      err(print());
    },
    done() {
      if (last > 0) err(print());
    },
  };
}

async function main(): Promise<number> {
  const [command, id, ...extra] = positionals;
  if (!command || !['list', 'show', 'replay'].includes(command)) throw new UsageError('give a command: list, show ID or replay (--help)');
  if (command === 'show' ? !id || extra.length > 0 : positionals.length > 1) throw new UsageError(`unexpected arguments (--help)`);
  const limit = intFlag('limit', values.limit, 1_000, 1, 100_000);
  const holdSeconds = intFlag('hold-seconds', values['hold-seconds'], command === 'replay' ? 900 : 60, 1, 43_200);
  const concurrency = intFlag('concurrency', values.concurrency, 4, 1, 64);
  const queueUrl = values['queue-url'] ?? process.env.WEBHOOK_DLQ_URL;
  if (!queueUrl)
    throw new UsageError('no dead-letter queue: pass --queue-url (a deployed stack prints it as DeadLetterQueueUrl) or start npm start');

  // Replay needs the webhook configuration: a bad one stops it before anything is read.
  const deliverer = command === 'replay' && !values['dry-run'] ? await webhookDeliverer() : undefined;
  const dlq = new DeadLetterQueue(queueUrl);
  let letters: DeadLetterView[] = [];
  try {
    let read = 0;
    const reading = throttled(() => `dlq: read ${read} messages…`);
    letters = await dlq.read({
      limit,
      holdSeconds,
      onProgress: (n) => {
        read = n;
        reading.tick();
      },
    });
    const selected = values.conversation ? letters.filter((l) => l.conversationId === values.conversation!.toLowerCase()) : letters;

    if (command === 'list') return list(selected, await dlq.depth(), letters.length >= limit);
    if (command === 'show') return show(selected.find((l) => l.sqsMessageId === id || l.messageId === id));

    let latest: ReplaySummary | undefined;
    const progress = throttled(() => `dlq: replayed ${latest?.replayed ?? 0}, failed ${latest?.failed ?? 0} of ${selected.length}…`);
    const removed = new Set<string>();
    const summary = await replayDeadLetters(selected, {
      deliver: (body) => deliverer!.deliver(body),
      remove: async (l) => {
        await dlq.remove(l);
        removed.add(l.sqsMessageId);
      },
      concurrency,
      dryRun: values['dry-run'],
      onProgress: (s) => {
        latest = s;
        progress.tick();
      },
    });
    progress.done();
    letters = letters.filter((l) => !removed.has(l.sqsMessageId));
    return report(summary, letters.length >= limit);
  } finally {
    // Whatever was read and not deleted becomes visible again now, not at the end of the hold.
    await dlq.release(letters).catch(() => err('dlq: could not release the messages read; they reappear when the hold ends'));
    deliverer?.close();
    dlq.close();
  }
}

async function webhookDeliverer() {
  const { loadWebhookConfig } = await import('#core/webhook/config.ts');
  const { secretsManagerReader } = await import('#core/webhook/secrets.ts');
  const { createDeliverer } = await import('#core/webhook/deliver.ts');
  const config = await loadWebhookConfig(process.env, process.env.WEBHOOK_SECRET_ARN ? secretsManagerReader() : undefined);
  return createDeliverer(config);
}

function list(letters: DeadLetterView[], depth: { visible: number; hidden: number }, truncated: boolean): number {
  if (values.json) {
    for (const l of letters) out(JSON.stringify(publicView(l)));
    return EXIT.ok;
  }
  if (letters.length === 0) {
    out(`the dead-letter queue is empty${values.conversation ? ' for this conversation' : ''}`);
    return EXIT.ok;
  }
  out(
    [
      'SQS MESSAGE ID'.padEnd(36),
      'CONVERSATION'.padEnd(36),
      'ROLE'.padEnd(8),
      'START'.padStart(8),
      'RECORDED'.padEnd(20),
      'TRIES',
      'WHY',
    ].join('  '),
  );
  for (const l of letters) {
    out(
      [
        l.sqsMessageId.padEnd(36),
        (l.conversationId ?? '-').slice(0, 36).padEnd(36),
        (l.role ?? '-').padEnd(8),
        (l.startMs === undefined ? '-' : `${(l.startMs / 1000).toFixed(1)}s`).padStart(8),
        iso(l.recordedAt).padEnd(20),
        String(l.attempts ?? '-').padStart(5),
        l.replayable ? l.reason : `${l.reason} [not replayable]`,
      ].join('  '),
    );
  }
  const conversations = new Set(letters.map((l) => l.conversationId)).size;
  out(
    `${letters.length} dead letters in ${conversations} conversations` +
      (truncated ? ` (stopped at --limit; about ${depth.visible + depth.hidden} in the queue)` : ''),
  );
  return EXIT.ok;
}

function show(letter: DeadLetterView | undefined): number {
  if (!letter) {
    err('dlq: no such message in the dead-letter queue (ids: npm run dlq -- list)');
    return EXIT.problem;
  }
  const view = { ...publicView(letter), ...(values.body ? { body: JSON.parse(letter.body) as unknown } : {}) };
  if (values.json) {
    out(JSON.stringify(view));
    return EXIT.ok;
  }
  for (const [k, v] of Object.entries(view)) {
    if (k === 'body') continue;
    out(`${`${k}:`.padEnd(16)}${k.endsWith('At') && typeof v === 'number' ? `${iso(v)} (${v})` : String(v)}`);
  }
  if (values.body) out(`body:\n${JSON.stringify(view.body, null, 2)}`);
  return EXIT.ok;
}

function report(s: ReplaySummary, truncated: boolean): number {
  if (values.json) out(JSON.stringify(s));
  else {
    for (const f of s.failures) err(`  failed: ${f.sqsMessageId} conversation ${f.conversationId ?? '-'}: ${f.reason}`);
    out(
      `${s.dryRun ? 'dry run: would replay' : 'replayed'} ${s.replayed} of ${s.total} dead letters in ${s.conversations} conversations` +
        `; failed ${s.failed}, held back ${s.heldBack} (behind a failure in their conversation)` +
        `, duplicates ${s.duplicates}, not replayable ${s.unreplayable}` +
        (s.undeleted ? `, delivered but not deleted ${s.undeleted}` : '') +
        (truncated ? ' (stopped at --limit: run again for the rest)' : ''),
    );
  }
  if (s.dryRun) return EXIT.ok;
  return s.failed + s.heldBack + s.unreplayable + s.undeleted === 0 ? EXIT.ok : EXIT.problem;
}

/** Everything but the receipt handle (useless after this run) and the body (transcript text, shown on request). */
function publicView(l: DeadLetterView): Omit<DeadLetterView, 'receiptHandle' | 'body'> & { bodyBytes: number } {
  const { receiptHandle: _handle, body, ...rest } = l;
  return { ...rest, bodyBytes: Buffer.byteLength(body) };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    if (e instanceof UsageError || e.name === 'WebhookConfigError') {
      err(`dlq: ${e.message}`);
      process.exit(EXIT.usage);
    }
    // SDK errors carry a name and a message without secrets (endpoint, queue, access denied).
    err(`dlq: ${e.name}: ${e.message}`);
    process.exit(EXIT.unreachable);
  },
);
