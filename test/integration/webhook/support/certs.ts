import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test PKI generated with the openssl CLI (3.0 has no `-not_after`, so the expired certificate is
 * signed with `-days -1`: notAfter one day before notBefore). EC P-256 keeps generation fast.
 */
interface Pair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** CA that signs the target's certificates (what the customer gives us in custom-CA mode). */
  serverCa: Pair;
  server: Pair;
  expiredServer: Pair;
  /** Signed by a CA the client does not trust. */
  untrustedServer: Pair;
  /** CA the target uses to verify client certificates (mTLS). */
  clientCa: Pair;
  client: Pair;
  /** A client certificate from a CA the target does not trust. */
  wrongClient: Pair;
  cleanup(): void;
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-pki-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const read = (name: string): Pair => ({
    cert: readFileSync(join(dir, `${name}.pem`), 'utf8'),
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  });

  const ca = (name: string, cn: string): Pair => {
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    return read(name);
  };
  const leaf = (name: string, cn: string, caName: string, usage: 'serverAuth' | 'clientAuth', days = 2): Pair => {
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${cn}`,
    );
    writeFileSync(
      join(dir, `${name}.ext`),
      [
        'basicConstraints=CA:FALSE',
        `extendedKeyUsage=${usage}`,
        ...(usage === 'serverAuth' ? ['subjectAltName=DNS:localhost,IP:127.0.0.1'] : []),
        '',
      ].join('\n'),
    );
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.pem`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      String(days),
      '-extfile',
      `${name}.ext`,
    );
    return read(name);
  };

  const serverCa = ca('server-ca', 'Webhook Test Server CA');
  ca('other-ca', 'Untrusted CA'); // signs the untrusted server and the wrong client below
  const clientCa = ca('client-ca', 'Webhook Test Client CA');
  return {
    dir,
    serverCa,
    server: leaf('server', 'localhost', 'server-ca', 'serverAuth'),
    expiredServer: leaf('expired', 'localhost', 'server-ca', 'serverAuth', -1),
    untrustedServer: leaf('untrusted', 'localhost', 'other-ca', 'serverAuth'),
    clientCa,
    client: leaf('client', 'transcribe-webhook', 'client-ca', 'clientAuth'),
    wrongClient: leaf('wrong-client', 'transcribe-webhook', 'other-ca', 'clientAuth'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
