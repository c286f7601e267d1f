/**
 * `npm run credentials -- create|list|rotate|revoke`: API id/secret pairs per tenant and AudioHook
 * key/secret pairs, in the local configuration file or a deployed stack's Secrets Manager secrets (see HELP).
 */
import './quiet-logs.ts';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, UsageError, parseFlags } from './command-env.ts';
import { DEFAULT_CREDENTIALS_FILE } from './credentials-file.ts';

const HELP = `usage: npm run credentials -- <command> [options]

  create api --tenant T [--id ID]    a new asapp-api-id / asapp-api-secret pair for tenant T
  create audiohook [--key KEY]       a new AudioHook API key and client secret (base64, as Genesys's
                                     AudioHook integration form takes it)
  list [api|audiohook]               every credential: id, tenant, created, status (never a secret)
  rotate api|audiohook ID            a new pair beside ID (same tenant); ID stays valid, marked rotated,
                                     until you revoke it: switch every client over, then revoke
  revoke api|audiohook ID            ID stops being valid; refuses the last active pair of its kind
                                     (of its tenant, for api) unless --force

where (default: the local configuration file, which npm start reads when it starts)
  --file PATH                  the local file (default ${DEFAULT_CREDENTIALS_FILE}; mode 0600)
  --api-secret-id ARN          a deployed stack's API credentials secret (output ApiCredentialsSecretArn;
                               default API_CREDENTIALS_SECRET_ARN); the API picks changes up within
                               its cache time (API_CREDENTIALS_CACHE_SECONDS, 300 s)
  --audiohook-secret-id ARN    its AudioHook secret (output AudioHookSecretArn; default AUDIOHOOK_SECRET_ARN);
                               gateway tasks read it when they start
  AWS credentials and region come from the usual AWS variables or profile.

options
  --out PATH                   write the new secret to PATH (created with mode 0600) instead of printing it
  --json                       one JSON object
  --force                      revoke: also the last active pair
  -h, --help                   this text

A new secret is shown once, on stdout (or in --out), and never logged; list never shows secrets.
exit codes: 0 done; 1 no such credential, or revoke refused; 2 bad flags; 3 the store could not be read or written.
`;

const { values, positionals } = parseFlags(
  () =>
    parseArgs({
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        id: { type: 'string' },
        key: { type: 'string' },
        file: { type: 'string' },
        'api-secret-id': { type: 'string' },
        'audiohook-secret-id': { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }),
  HELP,
);

const sets = await import('#core/credentials/credential-set.ts');
const stores = await import('#core/credentials/credential-store.ts');
type CredentialKind = import('#core/credentials/credential-set.ts').CredentialKind;
type ApiPair = import('#core/credentials/credential-set.ts').ApiPair;
type AudioHookPair = import('#core/credentials/credential-set.ts').AudioHookPair;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function openStore() {
  const apiSecretId = values['api-secret-id'] ?? process.env.API_CREDENTIALS_SECRET_ARN;
  const audiohookSecretId = values['audiohook-secret-id'] ?? process.env.AUDIOHOOK_SECRET_ARN;
  if (values.file && (apiSecretId || audiohookSecretId)) throw new UsageError('give either --file or the secret ids, not both');
  if (!apiSecretId && !audiohookSecretId) return stores.fileCredentialStore(values.file ?? DEFAULT_CREDENTIALS_FILE);
  const { secretsManagerClient } = await import('#core/aws/clients.ts');
  return stores.secretsManagerCredentialStore({
    client: secretsManagerClient(),
    ...(apiSecretId ? { apiSecretId } : {}),
    ...(audiohookSecretId ? { audiohookSecretId } : {}),
  });
}

function kindOf(raw: string | undefined, optional = false): CredentialKind | undefined {
  if (raw === undefined && optional) return undefined;
  if (raw !== 'api' && raw !== 'audiohook') throw new UsageError('say which: api or audiohook (--help)');
  return raw;
}

/** The new secret goes to the terminal once, or into a file only its owner can read. */
function reveal(kind: CredentialKind, pair: ApiPair | AudioHookPair, where: string, note: string): void {
  const fields =
    kind === 'api'
      ? { kind, 'asapp-api-id': (pair as ApiPair).id, 'asapp-api-secret': (pair as ApiPair).secret, tenant: (pair as ApiPair).tenant }
      : { kind, 'API Key': (pair as AudioHookPair).apiKey, 'Client Secret': (pair as AudioHookPair).clientSecret };
  if (values.out) {
    writeFileSync(values.out, `${JSON.stringify(fields, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(values.out, 0o600);
  }
  const shown = values.out ? Object.fromEntries(Object.entries(fields).filter(([k]) => !/secret/i.test(k))) : fields;
  if (values.json) {
    out(JSON.stringify({ ...shown, ...(values.out ? { secretFile: values.out } : {}), store: where }));
    return;
  }
  out(`${kind === 'api' ? 'API' : 'AudioHook'} credential saved in ${where}.`);
  if (kind === 'audiohook') out('Enter these in Genesys Cloud: Admin → Integrations → your AudioHook Monitor → Credentials:');
  for (const [k, v] of Object.entries(shown)) if (k !== 'kind') out(`  ${`${k}:`.padEnd(18)}${v}`);
  out(values.out ? `The secret is in ${values.out} (readable by you only).` : 'The secret is shown this once: store it now.');
  if (note) out(note);
}

async function main(): Promise<number> {
  const [command, kindArg, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError('unexpected arguments (--help)');
  // Checked before anything changes: a secret that cannot be written out must not be created.
  if (values.out && existsSync(values.out)) throw new UsageError(`${values.out} already exists; nothing was changed`);
  const store = await openStore();
  const fileStore =
    !values['api-secret-id'] &&
    !values['audiohook-secret-id'] &&
    !process.env.API_CREDENTIALS_SECRET_ARN &&
    !process.env.AUDIOHOOK_SECRET_ARN;
  const applies = (kind: CredentialKind) =>
    fileStore
      ? 'Restart npm start to use it.'
      : kind === 'api'
        ? 'The API accepts it once its credentials cache expires (at most API_CREDENTIALS_CACHE_SECONDS, 300 s).'
        : "Gateway tasks started from now on accept it (force a new deployment of the gateway service to apply it now); they keep accepting the older pairs only where the stack gives them the secret's apiKeys field as AUDIOHOOK_API_KEYS.";

  // When a revoked pair stops working: caches in AWS keep it for a while, which the operator must know.
  const revoked = (kind: CredentialKind) =>
    fileStore
      ? 'Restart npm start to apply.'
      : kind === 'api'
        ? "The API refuses it once its caches expire: the credentials cache (API_CREDENTIALS_CACHE_SECONDS, 300 s) and API Gateway's authorizer cache (apiAuthorizerCacheSeconds, 300 s; aws apigateway flush-stage-authorizers-cache empties it)."
        : 'Gateway tasks started from now on refuse it; running tasks accept it until they are replaced (force a new deployment of the gateway service to apply it now).';

  // In Secrets Manager mode each kind lives in its own secret: say which flag is missing before anything is read.
  const needSecretFor = (kind: CredentialKind) => {
    if (fileStore) return;
    const given =
      kind === 'api'
        ? (values['api-secret-id'] ?? process.env.API_CREDENTIALS_SECRET_ARN)
        : (values['audiohook-secret-id'] ?? process.env.AUDIOHOOK_SECRET_ARN);
    if (!given)
      throw new UsageError(
        kind === 'api'
          ? 'api credentials need --api-secret-id (the stack output ApiCredentialsSecretArn)'
          : 'audiohook credentials need --audiohook-secret-id (the stack output AudioHookSecretArn)',
      );
  };

  switch (command) {
    case 'list': {
      const kind = kindOf(kindArg, true);
      if (id !== undefined) throw new UsageError('list takes no id (--help)');
      const views = sets.view(await store.load()).filter((v) => !kind || v.kind === kind);
      if (values.json) {
        for (const v of views) out(JSON.stringify(v));
        return EXIT.ok;
      }
      if (views.length === 0) {
        out(`no credentials in ${store.where}`);
        return EXIT.ok;
      }
      out(['KIND'.padEnd(10), 'ID'.padEnd(40), 'TENANT'.padEnd(16), 'CREATED'.padEnd(25), 'STATUS'].join(' '));
      for (const v of views) {
        out(
          [
            v.kind.padEnd(10),
            v.id.padEnd(40),
            (v.tenant ?? '-').padEnd(16),
            v.createdAt.padEnd(25),
            v.status === 'rotated' ? `rotated ${v.rotatedAt}: revoke once clients use the new one` : 'active',
          ].join(' '),
        );
      }
      return EXIT.ok;
    }
    case 'create': {
      const kind = kindOf(kindArg)!;
      needSecretFor(kind);
      if (id !== undefined) throw new UsageError('create takes no positional id: use --id or --key (--help)');
      const set = await store.load();
      if (kind === 'api') {
        if (!values.tenant) throw new UsageError('create api needs --tenant (the tenant, company_marker, the pair acts for)');
        const pair = sets.newApiPair(values.tenant, values.id);
        await store.save(sets.add(set, 'api', pair));
        reveal('api', pair, store.where, applies('api'));
      } else {
        const pair = sets.newAudioHookPair(values.key);
        await store.save(sets.add(set, 'audiohook', pair));
        reveal('audiohook', pair, store.where, applies('audiohook'));
      }
      return EXIT.ok;
    }
    case 'rotate': {
      const kind = kindOf(kindArg)!;
      needSecretFor(kind);
      if (!id) throw new UsageError(`rotate ${kind} needs the id to replace (npm run credentials -- list)`);
      const { set, created } = sets.rotate(await store.load(), kind, id);
      await store.save(set);
      reveal(kind, created, store.where, `${applies(kind)} ${id} stays valid until: npm run credentials -- revoke ${kind} ${id}`);
      return EXIT.ok;
    }
    case 'revoke': {
      const kind = kindOf(kindArg)!;
      needSecretFor(kind);
      if (!id) throw new UsageError(`revoke ${kind} needs the id (npm run credentials -- list)`);
      const set = await store.load();
      const remaining = sets.revoke(set, kind, id);
      const tenantOf = kind === 'api' ? set.api.find((p) => p.id === id)?.tenant : undefined;
      const stillActive = sets
        .view(remaining)
        .filter((v) => v.kind === kind && v.status === 'active' && (kind !== 'api' || v.tenant === tenantOf));
      if (stillActive.length === 0 && !values.force) {
        process.stderr.write(
          `credentials: ${id} is the last active ${kind} credential${tenantOf ? ` of tenant ${tenantOf}` : ''}; revoking it cuts every client off. Create or rotate first, or pass --force.\n`,
        );
        return EXIT.problem;
      }
      await store.save(remaining);
      if (values.json) out(JSON.stringify({ revoked: id, kind, store: store.where }));
      else out(`revoked ${kind} credential ${id} in ${store.where}. ${revoked(kind)}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError('give a command: create, list, rotate or revoke (--help)');
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`credentials: ${e.message}\n`);
      process.exit(EXIT.usage);
    }
    if (e.name === 'CredentialError') {
      process.stderr.write(`credentials: ${e.message}\n`);
      process.exit(EXIT.problem);
    }
    // SDK and file-system errors name the problem, never a secret value.
    process.stderr.write(`credentials: ${e.name}: ${e.message}\n`);
    process.exit(EXIT.unreachable);
  },
);
