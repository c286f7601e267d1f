import { Stack } from 'aws-cdk-lib';
import { NagSuppressions } from 'cdk-nag';
import type { AudiohookTranscribeStack } from './audiohook-transcribe-stack.ts';

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each on the resource it concerns (never
 * stack-wide) and with the reason it is acceptable. test/infra/nag.test.ts fails on any finding not
 * listed here.
 */
export function applyNagSuppressions(stack: AudiohookTranscribeStack): void {
  const { secrets, gateway, controlApi, export: feed, config } = stack;

  NagSuppressions.addResourceSuppressions(
    [secrets.audiohook, secrets.apiCredentials, secrets.webhook],
    [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'Each secret is shared with a party outside AWS (the AudioHook key/secret is entered in Genesys Cloud, API pairs are held by API clients, webhook material is issued by the customer). Automatic rotation would break them; rotation is a coordinated manual step (docs/deploy.md).',
      },
    ],
  );

  NagSuppressions.addResourceSuppressions(secrets.control, [
    {
      id: 'AwsSolutions-SMG4',
      reason:
        'The gateway reads CONTROL_SECRET when a task starts and the Lambdas cache it for 5 minutes, so a rotation is a coordinated step (update the secret, then replace the tasks), documented in docs/deploy.md, not an automatic rotation.',
    },
  ]);

  // --- gateway -----------------------------------------------------------------------------------------
  if (config.audiohookAllowedCidrs.includes('0.0.0.0/0')) {
    NagSuppressions.addResourceSuppressions(gateway.loadBalancerSecurityGroup, [
      {
        id: 'AwsSolutions-EC23',
        reason:
          'Public AudioHook endpoint: port 443 only, open by default because Genesys Cloud connects from region-specific addresses. Every connection must present the API key and a valid HTTP message signature (HMAC) before any audio is accepted. Restrict it with the audiohookAllowedCidrs context value.',
      },
    ]);
  }
  NagSuppressions.addResourceSuppressions(gateway.taskDefinition, [
    {
      id: 'AwsSolutions-ECS2',
      reason:
        "The environment holds non-secret configuration only (ports, path, table and queue names, tenant, log level); the AudioHook API key and client secret are injected from Secrets Manager through the container definition's secrets.",
    },
  ]);
  NagSuppressions.addResourceSuppressions(
    gateway.taskDefinition.taskRole,
    [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'transcribe:StartStreamTranscription and StartStreamTranscriptionWebSocket have no resource type in IAM: "*" is the only accepted resource. ecs:ListTasks is authorized on container instances, which Fargate tasks have none of; it is limited to this cluster by the ecs:cluster condition. Nothing else in this policy uses "*".',
      },
      {
        id: 'AwsSolutions-IAM5',
        // Environment-agnostic the ARN holds <AWS::Partition>/<AWS::Region>/<AWS::AccountId>; with an account
        // and region (every `cdk deploy`) it holds the literal values. Both forms, and this cluster's tasks only.
        appliesTo: [
          {
            regex:
              '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecs:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):(<AWS::AccountId>|\\d{12}):task\\/<GatewayCluster[A-Za-z0-9]+>\\/\\*$/g',
          },
        ],
        reason:
          'Task scale-in protection (ecs:UpdateTaskProtection / GetTaskProtection through $ECS_AGENT_URI) and the retirement check (ecs:DescribeTasks) apply to the task itself and its peers, whose ids exist only at run time; the resource is limited to tasks of this cluster.',
      },
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          {
            regex:
              '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):ecs:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):(<AWS::AccountId>|\\d{12}):service\\/<GatewayCluster[A-Za-z0-9]+>\\/\\*$/g',
          },
        ],
        reason:
          'The retirement check reads its own service (ecs:DescribeServices), whose generated name the task definition cannot reference without a dependency cycle; the resource is limited to services of this cluster.',
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    gateway.taskDefinition.obtainExecutionRole(),
    [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'ecr:GetAuthorizationToken (added by CDK for the image pull) does not support resource-level permissions; ECR pull actions are scoped to the image repository.',
      },
    ],
    true,
  );

  if (gateway.imageBuild) suppressImageBuildFindings(stack);

  // --- Lambdas ---------------------------------------------------------------------------------------------
  for (const fn of [controlApi.startFunction, controlApi.stopFunction]) {
    NagSuppressions.addResourceSuppressions(
      fn.role!,
      [
        {
          id: 'AwsSolutions-IAM4',
          appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole'],
          reason:
            "The function runs in the VPC to reach the gateway's private control port; Lambda needs the network-interface actions of this AWS managed policy, which do not support resource-level scoping.",
        },
      ],
      true,
    );
  }
  NagSuppressions.addResourceSuppressions(
    [feed.exportFunction.role!, controlApi.fileExporterFunction.role!],
    [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [{ regex: '/^Resource::<ExportBucket[A-Za-z0-9]+\\.Arn>\\/\\*$/g' }],
        reason:
          'Feed files are keyed by date, hour and part number (utterances/version=1/format=…/dt=…/hr=…/part-NNNN.…), unknown in advance; access is limited to objects of the exports bucket.',
      },
    ],
    true,
  );

  NagSuppressions.addResourceSuppressions(
    [gateway.taskDefinition.taskRole, controlApi.vocabularyFunction.role!],
    [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: [
          {
            regex:
              '/^Resource::arn:(<AWS::Partition>|aws[a-z-]*):transcribe:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\\d):(<AWS::AccountId>|\\d{12}):vocabulary\\/ahv-\\*$/g',
          },
        ],
        reason:
          "Amazon Transcribe custom vocabularies are created per tenant, language and version of the tenant's list (ahv-<tenant>-<language>-<hash>), unknown in advance; access is limited to vocabularies with this service's name prefix.",
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    controlApi.vocabularyFunction.role!,
    [
      {
        id: 'AwsSolutions-IAM5',
        appliesTo: ['Resource::*'],
        reason:
          'transcribe:ListVocabularies has no resource type in IAM: "*" is the only accepted resource. The code lists by this service\'s name prefix to delete its own old versions; nothing else in this policy uses "*".',
      },
    ],
    true,
  );

  if (stack.recordings) {
    NagSuppressions.addResourceSuppressions(
      [gateway.taskDefinition.taskRole, controlApi.recordingsFunction.role!],
      [
        {
          id: 'AwsSolutions-IAM5',
          appliesTo: [{ regex: '/^Resource::<RecordingsBucket[A-Za-z0-9]+\\.Arn>\\/recordings\\/\\*$/g' }],
          reason:
            'Recordings are keyed by tenant, conversation and a new recording id per span (recordings/v1/<tenant>/<conversation>/<id>.wav), unknown in advance; the gateway may only write and the recordings route only read objects under recordings/ of the recordings bucket.',
        },
      ],
      true,
    );
  }

  // --- API ---------------------------------------------------------------------------------------------------
  NagSuppressions.addResourceSuppressions(
    controlApi.api,
    [
      {
        id: 'AwsSolutions-APIG2',
        reason:
          "The ASAPP-compatible contract fixes the error for every invalid request (400-201 on start/stop, 400-01 elsewhere, in its own envelope) and parses bodies as JSON whatever the Content-Type, so validation is done in the handlers; API Gateway's validator would answer differently.",
      },
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs'],
        reason:
          'The account-level role API Gateway uses to write execution logs (AwsSolutions-APIG6) is defined by AWS with this managed policy.',
      },
    ],
    true,
  );
  if (!controlApi.webAcl) {
    NagSuppressions.addResourceSuppressions(
      controlApi.api,
      [
        {
          id: 'AwsSolutions-APIG3',
          reason:
            'The operator turned the web ACL off (context apiWaf=false, e.g. because the account protects the API with its own firewall manager policy); requests are still authenticated by the handlers and the stage is throttled.',
        },
      ],
      true,
    );
  }
  NagSuppressions.addResourceSuppressions(
    controlApi.api,
    [
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Public API clients authenticate with the ASAPP-compatible asapp-api-id / asapp-api-secret headers, checked by a cached REQUEST authorizer (and again by the handlers), not with Cognito tokens; the console routes use the Cognito authorizer.',
      },
    ],
    true,
  );
}

/**
 * The deploy-time image build (@cdklabs/deploy-time-build, lib/gateway-image.ts): its CodeBuild project
 * and the custom-resource Lambda that starts it are stack-level singletons the library creates, so they
 * are found by their construct id prefixes.
 */
function suppressImageBuildFindings(stack: Stack): void {
  const children = (prefix: string) => stack.node.children.filter((c) => c.node.id.startsWith(prefix));
  NagSuppressions.addResourceSuppressions(
    children('ContainerImageBuild'),
    [
      {
        id: 'AwsSolutions-CB4',
        reason:
          "The image build produces no CodeBuild artifacts (the image is pushed to the stack's ECR repository, scanned on push); its logs go to CloudWatch Logs. CodeBuild encrypts its working data with the AWS managed key.",
      },
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly'],
        reason:
          'The build pulls its Node base image from Amazon ECR Public (not Docker Hub, whose anonymous pull limits break builds); this AWS managed read-only policy is what ECR Public authentication needs.',
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "CodeBuild's own grants: its log streams and report groups (names exist only at build time), ecr:GetAuthorizationToken (no resource-level permission), and read access to the CDK bootstrap bucket's staged source archive, whose key is the asset hash.",
      },
    ],
    true,
  );
  NagSuppressions.addResourceSuppressions(
    children('DeployTimeBuildCustomResourceHandler'),
    [
      {
        id: 'AwsSolutions-IAM4',
        appliesTo: ['Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
        reason:
          'The custom-resource handler that starts the image build (created by @cdklabs/deploy-time-build) only writes its own logs; it runs during deployments only.',
      },
      {
        id: 'AwsSolutions-L1',
        reason:
          'The runtime of the custom-resource handler is fixed by @cdklabs/deploy-time-build; it runs only during deployment, to start the CodeBuild image build.',
      },
    ],
    true,
  );
}
