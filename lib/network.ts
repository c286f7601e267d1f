import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

const VPC_CIDR = '10.0.0.0/16';

export interface NetworkProps {
  natGateways: number;
  interfaceEndpoints: boolean;
  logRetentionDays: logs.RetentionDays;
}

/**
 * VPC over two Availability Zones: public subnets for the load balancer and the NAT gateways, private
 * subnets (egress through NAT) for the gateway tasks and the control Lambdas. DynamoDB and S3 are
 * reached through free gateway endpoints; Transcribe streaming, SQS, Secrets Manager, ECR, CloudWatch
 * Logs and ECS through NAT, or — with `interfaceEndpoints` — through interface endpoints in the private
 * subnets, so call audio and credentials never cross the NAT gateways (each endpoint costs per
 * AZ-hour plus per GB; docs/deploy.md compares). Flow logs go to CloudWatch Logs.
 *
 * `controlClients` is the security group of the Lambdas that call the gateway's private control port;
 * the gateway admits that port from this group only.
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  readonly controlClients: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(VPC_CIDR),
      maxAzs: 2,
      natGateways: props.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
      ],
      gatewayEndpoints: {
        DynamoDb: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
      },
    });
    if (props.interfaceEndpoints) {
      // Private DNS makes the regular service host names resolve to the endpoints: no client changes.
      const endpoints: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
        TranscribeStreaming: ec2.InterfaceVpcEndpointAwsService.TRANSCRIBE_STREAMING,
        Sqs: ec2.InterfaceVpcEndpointAwsService.SQS,
        SecretsManager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
        EcrApi: ec2.InterfaceVpcEndpointAwsService.ECR,
        EcrDocker: ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
        Logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
        Ecs: ec2.InterfaceVpcEndpointAwsService.ECS,
      };
      // HTTPS from inside the VPC only (the literal range, so the rule is checkable at synth).
      const endpointGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface VPC endpoints: HTTPS from the VPC',
        allowAllOutbound: false,
      });
      endpointGroup.addIngressRule(ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), 'HTTPS from the VPC');
      for (const [name, service] of Object.entries(endpoints)) {
        this.vpc.addInterfaceEndpoint(name, {
          service,
          privateDnsEnabled: true,
          open: false,
          securityGroups: [endpointGroup],
          subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        });
      }
    }
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    this.controlClients = new ec2.SecurityGroup(this, 'ControlClients', {
      vpc: this.vpc,
      description: 'start/stop Lambdas: HTTPS to AWS APIs, and the gateway control port',
      allowAllOutbound: false,
    });
    // AWS APIs (DynamoDB through the gateway endpoint, Secrets Manager through NAT).
    this.controlClients.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
  }
}
