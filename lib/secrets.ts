import { Aws, Fn, type RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { AUDIOHOOK_SECRET_FIELDS } from '#core/contract/audiohook-secret.ts';

export interface SecretsProps {
  tenant: string;
  /** RETAIN by default: deleting the stack must not silently invalidate the pairs Genesys and API clients hold. */
  removalPolicy: RemovalPolicy;
}

/**
 * The service's secrets, all in Secrets Manager; no secret value ever appears in the template or in a
 * task's or function's environment in clear.
 *
 * - `audiohook`: `{"apiKey","clientSecret","apiKeys"}`: the pair entered in the Genesys AudioHook
 *   integration, and `apiKeys`, older pairs still accepted during a rotation (`key:secret,…`, the
 *   gateway's AUDIOHOOK_API_KEYS form; `""` when none). `clientSecret` is generated (44 alphanumeric
 *   characters, which is valid base64 for 33 random bytes, the form Genesys expects); `apiKey` is
 *   derived from the stack id (an identifier, not a secret). Each field is injected into the gateway
 *   container with `ecs.Secret.fromSecretsManager(secret, field)` (AUDIOHOOK_SECRET_FIELDS), so each
 *   must exist: a task whose secret lacks one does not start. `npm run credentials` rotates them.
 * - `apiCredentials`: the `asapp-api-id` / `asapp-api-secret` pair(s) of the public API:
 *   `{"id","secret","tenant"}` (generated) or, once edited, `[{"id","secret","tenant"}, …]`.
 * - `webhook`: the webhook's secret fields (`WEBHOOK_SECRET_TOKEN_VALUE`, `WEBHOOK_OAUTH2_CLIENT_SECRET`,
 *   PEM material, …), `{}` until the operator fills it in (docs/deploy.md).
 * - `control`: a generated string the start/stop Lambdas sign gateway control requests with; injected
 *   into the gateway container as CONTROL_SECRET, read by the Lambdas through CONTROL_SECRET_ARN.
 */
export class Secrets extends Construct {
  readonly audiohook: secretsmanager.Secret;
  readonly apiCredentials: secretsmanager.Secret;
  readonly webhook: secretsmanager.Secret;
  readonly control: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // The last segment of the stack id (a UUID): unique per deployment, known only after deploy.
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));

    this.audiohook = new secretsmanager.Secret(this, 'AudioHook', {
      description: 'AudioHook integration credentials entered in Genesys Cloud: apiKey and clientSecret (base64)',
      generateSecretString: {
        secretStringTemplate: stack.toJsonString({
          [AUDIOHOOK_SECRET_FIELDS.AUDIOHOOK_API_KEY]: Fn.join('', ['ah-', stackUuid]),
          [AUDIOHOOK_SECRET_FIELDS.AUDIOHOOK_API_KEYS]: '',
        }),
        generateStringKey: AUDIOHOOK_SECRET_FIELDS.AUDIOHOOK_CLIENT_SECRET,
        passwordLength: 44,
        excludePunctuation: true,
        includeSpace: false,
        requireEachIncludedType: true,
      },
    });

    this.apiCredentials = new secretsmanager.Secret(this, 'ApiCredentials', {
      description: 'Public API credential pairs (asapp-api-id / asapp-api-secret): {"id","secret","tenant"} or a JSON array of them',
      generateSecretString: {
        secretStringTemplate: stack.toJsonString({ id: Fn.join('', ['api-', stackUuid]), tenant: props.tenant }),
        generateStringKey: 'secret',
        passwordLength: 48,
        excludePunctuation: true,
        includeSpace: false,
      },
    });

    this.webhook = new secretsmanager.Secret(this, 'Webhook', {
      description:
        'Webhook authentication material (keys: WEBHOOK_SECRET_TOKEN_VALUE, WEBHOOK_OAUTH2_CLIENT_ID, WEBHOOK_OAUTH2_CLIENT_SECRET, WEBHOOK_CA_PEM, WEBHOOK_CLIENT_CERT_PEM, WEBHOOK_CLIENT_KEY_PEM, WEBHOOK_CLIENT_KEY_PASSPHRASE)',
      // An empty JSON object holds nothing secret; the operator puts the values in after deploying.
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });

    this.control = new secretsmanager.Secret(this, 'Control', {
      description: 'Shared secret of the gateway control endpoint: the start/stop Lambdas sign each request with it',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    for (const secret of [this.audiohook, this.apiCredentials, this.webhook, this.control]) secret.applyRemovalPolicy(props.removalPolicy);
  }
}
