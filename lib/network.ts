import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';

export interface NetworkProps {
  natGateways: number;
  logRetentionDays: logs.RetentionDays;
}

/**
 * VPC over two Availability Zones: public subnets for the load balancer and the NAT gateways, private
 * subnets (egress through NAT) for the gateway tasks and the control Lambdas. DynamoDB and S3 are
 * reached through free gateway endpoints; Transcribe, SQS, Secrets Manager, ECR and CloudWatch through
 * NAT. Flow logs go to CloudWatch Logs.
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
