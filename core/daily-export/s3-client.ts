import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig } from '../aws/clients.ts';

/**
 * S3 clients of the exporter and the File Exporter endpoints. The endpoint comes from the SDK's own
 * resolution (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL); when one is set the emulator is addressed
 * path-style, because `<bucket>.127.0.0.1` does not resolve. Presigned URLs take the same form.
 *
 * Candidate for core/aws/clients.ts, next to the other factories.
 */
export function hasS3EndpointOverride(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

export function createS3Client(options: { requestTimeoutMs?: number } = {}, env: NodeJS.ProcessEnv = process.env): S3Client {
  const base = awsClientConfig();
  return new S3Client({
    ...base,
    requestHandler: { ...base.requestHandler, requestTimeout: options.requestTimeoutMs ?? base.requestHandler.requestTimeout },
    forcePathStyle: hasS3EndpointOverride(env),
  });
}
