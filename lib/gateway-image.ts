import { ContainerImageBuild } from '@cdklabs/deploy-time-build';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { artifactDir } from './artifacts.ts';
import type { GatewayImageBuild } from './config.ts';

export interface GatewayImage {
  image: ecs.ContainerImage;
  /** The deploy-time build, when CodeBuild builds the image (for its cdk-nag findings). */
  codeBuild?: ContainerImageBuild;
}

/**
 * The gateway's container image, built from `dist/image/` (`npm run build`: the Dockerfile and the
 * built gateway, nothing to compile).
 *
 * `codebuild`: `cdk deploy` uploads that folder as a plain file asset (a zip in the bootstrap bucket);
 * a custom resource starts a CodeBuild build on a native builder of the task's architecture (ARM64 or
 * x86-64), which builds the image and pushes it to an ECR repository of this stack. The deployer's
 * machine needs no Docker, no QEMU and no particular CPU. The build runs again only when the folder's
 * content changes (the asset hash is the image tag).
 *
 * `local-docker`: a CDK Docker image asset, built and pushed by the CDK CLI with the deployer's Docker
 * (cross-architecture builds then need QEMU/binfmt there).
 */
export function gatewayImage(scope: Construct, props: { architecture: 'arm64' | 'x86_64'; build: GatewayImageBuild }): GatewayImage {
  const directory = artifactDir('image');
  const platform = props.architecture === 'arm64' ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64;
  if (props.build === 'local-docker') return { image: ecs.ContainerImage.fromAsset(directory, { platform }) };
  const codeBuild = new ContainerImageBuild(scope, 'Image', { directory, platform });
  return { image: codeBuild.toEcsDockerImageCode(), codeBuild };
}
