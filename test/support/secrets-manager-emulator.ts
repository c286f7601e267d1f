import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small AWS Secrets Manager for tests (npm has no emulator of it): the JSON 1.1 protocol the SDK speaks
 * (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`, `application/x-amz-json-1.1`), every request's
 * SigV4 signature verified against the one test key pair, and the operations our code and our tests
 * use — CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret — with AWS's version semantics:
 * a new value becomes AWSCURRENT, the one before it AWSPREVIOUS, older ones keep no label; a repeated
 * ClientRequestToken with the same value is a no-op and with another value a ResourceExistsException.
 * Errors come back as AWS sends them: status 400 and `{"__type", "message"}`.
 */
export interface SecretsManagerEmulator {
  /** For AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  url: string;
  /** Every request's operation name, in order (for assertions about what a command did). */
  operations: string[];
  close(): Promise<void>;
}

interface Version {
  id: string;
  value: { SecretString: string } | { SecretBinary: string };
  stages: Set<string>;
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  description?: string;
  created: number;
  changed: number;
  versions: Map<string, Version>;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 1 << 20;
const MAX_SECRET = 65_536;
const ACCOUNT = '000000000000';
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/secretsmanager\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export async function startSecretsManagerEmulator(
  credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: 'test', secretAccessKey: 'test' },
): Promise<SecretsManagerEmulator> {
  const secrets = new Map<string, Secret>();
  const operations: string[] = [];
  /** The region of the last signed request: ARNs name it, as AWS's do. */
  let region = 'us-east-1';
  const seconds = (ms: number) => ms / 1000;

  const find = (id: unknown): Secret => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 2048)
      throw new AwsError('InvalidParameterException', 'SecretId is required');
    const secret = secrets.get(id) ?? [...secrets.values()].find((s) => s.arn === id);
    if (!secret) throw new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };

  const valueOf = (body: Record<string, unknown>): Version['value'] | undefined => {
    const { SecretString, SecretBinary } = body;
    if (SecretString !== undefined && SecretBinary !== undefined) {
      throw new AwsError('InvalidParameterException', 'You can only specify one of SecretString and SecretBinary.');
    }
    if (typeof SecretString === 'string') {
      if (Buffer.byteLength(SecretString) > MAX_SECRET) throw new AwsError('InvalidParameterException', 'SecretString is too long.');
      return { SecretString };
    }
    if (typeof SecretBinary === 'string') return { SecretBinary };
    return undefined;
  };

  const token = (body: Record<string, unknown>): string => {
    const t = body.ClientRequestToken;
    if (t === undefined) return randomUUID();
    if (typeof t !== 'string' || t.length < 32 || t.length > 64) {
      throw new AwsError('InvalidParameterException', 'ClientRequestToken must be 32 to 64 characters.');
    }
    return t;
  };

  /** Adds a version; AWSCURRENT moves to it and the version it leaves becomes AWSPREVIOUS. */
  const addVersion = (secret: Secret, id: string, value: Version['value'], stages: string[]): Version => {
    const existing = secret.versions.get(id);
    if (existing) {
      if (JSON.stringify(existing.value) === JSON.stringify(value)) return existing;
      throw new AwsError('ResourceExistsException', 'You can’t modify an existing version, you can only create a new version.');
    }
    const now = Date.now();
    for (const stage of stages) {
      for (const v of secret.versions.values()) {
        if (!v.stages.delete(stage) || stage !== 'AWSCURRENT') continue;
        for (const w of secret.versions.values()) w.stages.delete('AWSPREVIOUS');
        v.stages.add('AWSPREVIOUS');
      }
    }
    const version: Version = { id, value, stages: new Set(stages), created: now };
    secret.versions.set(id, version);
    secret.changed = now;
    return version;
  };

  const handlers: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateSecret(body) {
      const name = body.Name;
      if (typeof name !== 'string' || !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) {
        throw new AwsError('InvalidParameterException', 'Name is missing or invalid.');
      }
      if (secrets.has(name))
        throw new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      const now = Date.now();
      const secret: Secret = {
        arn: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:${name}-${randomBytes(3).toString('hex')}`,
        name,
        ...(typeof body.Description === 'string' ? { description: body.Description } : {}),
        created: now,
        changed: now,
        versions: new Map(),
      };
      const value = valueOf(body);
      const version = value ? addVersion(secret, token(body), value, ['AWSCURRENT']) : undefined;
      secrets.set(name, secret);
      return { ARN: secret.arn, Name: secret.name, ...(version ? { VersionId: version.id } : {}) };
    },
    GetSecretValue(body) {
      const secret = find(body.SecretId);
      const stage = typeof body.VersionStage === 'string' ? body.VersionStage : undefined;
      const versionId = typeof body.VersionId === 'string' ? body.VersionId : undefined;
      const version = versionId
        ? secret.versions.get(versionId)
        : [...secret.versions.values()].find((v) => v.stages.has(stage ?? 'AWSCURRENT'));
      if (!version || (stage && !version.stages.has(stage))) {
        throw new AwsError(
          'ResourceNotFoundException',
          `Secrets Manager can't find the specified secret value for ${versionId ? `VersionId: ${versionId}` : `staging label: ${stage ?? 'AWSCURRENT'}`}`,
        );
      }
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...version.value,
        VersionStages: [...version.stages],
        CreatedDate: seconds(version.created),
      };
    },
    PutSecretValue(body) {
      const secret = find(body.SecretId);
      const value = valueOf(body);
      if (!value) throw new AwsError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const stages =
        Array.isArray(body.VersionStages) && body.VersionStages.every((s) => typeof s === 'string')
          ? (body.VersionStages as string[])
          : ['AWSCURRENT'];
      const version = addVersion(secret, token(body), value, stages);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
    },
    DescribeSecret(body) {
      const secret = find(body.SecretId);
      // Versions without a label are deprecated: AWS leaves them out here.
      const labelled = [...secret.versions.values()].filter((v) => v.stages.size > 0);
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(secret.description ? { Description: secret.description } : {}),
        CreatedDate: seconds(secret.created),
        LastChangedDate: seconds(secret.changed),
        VersionIdsToStages: Object.fromEntries(labelled.map((v) => [v.id, [...v.stages]])),
      };
    },
  };

  /** The SigV4 signature recomputed from the request and the test key: proves the SDK signed what it sent. */
  const verifySignature = (req: http.IncomingMessage, body: Buffer): void => {
    const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    if (!match || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
      throw new AwsError('IncompleteSignatureException', 'missing or malformed SigV4 Authorization or X-Amz-Date');
    }
    const [, accessKeyId, date, signedRegion, signedHeaders, signature] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (accessKeyId !== credentials.accessKeyId)
      throw new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (!amzDate.startsWith(date)) throw new AwsError('IncompleteSignatureException', 'credential date does not match X-Amz-Date');
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date'))
      throw new AwsError('IncompleteSignatureException', 'host and x-amz-date must be signed');
    const canonicalHeaders = names
      .map(
        (n) =>
          `${n}:${String(req.headers[n] ?? '')
            .trim()
            .replace(/\s+/g, ' ')}\n`,
      )
      .join('');
    const payloadHash = createHash('sha256').update(body).digest('hex');
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const canonicalRequest = [req.method, path, query, canonicalHeaders, signedHeaders, payloadHash].join('\n');
    const scope = `${date}/${signedRegion}/secretsmanager/aws4_request`;
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), signedRegion), 'secretsmanager'), 'aws4_request');
    const expected = hmac(signingKey, stringToSign);
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new AwsError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
    }
    region = signedRegion;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const send = (status: number, value: unknown) =>
        res
          .writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
          .end(JSON.stringify(value));
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('secretsmanager.') ? target.slice('secretsmanager.'.length) : '';
        if (req.method !== 'POST' || !String(req.headers['content-type'] ?? '').startsWith('application/x-amz-json-1.1')) {
          throw new AwsError('InvalidRequestException', 'POST with application/x-amz-json-1.1 expected');
        }
        const body = Buffer.concat(chunks);
        verifySignature(req, body);
        const handler = handlers[operation];
        if (!handler) throw new AwsError('UnknownOperationException', `unknown operation ${target}`);
        operations.push(operation);
        let input: unknown;
        try {
          input = JSON.parse(body.toString('utf8') || '{}');
        } catch {
          throw new AwsError('SerializationException', 'the request body is not JSON');
        }
        if (!input || typeof input !== 'object' || Array.isArray(input))
          throw new AwsError('SerializationException', 'a JSON object expected');
        send(200, handler(input as Record<string, unknown>));
      } catch (error) {
        if (error instanceof AwsError) send(400, { __type: error.type, message: error.message });
        else send(500, { __type: 'InternalServiceError', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    operations,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
