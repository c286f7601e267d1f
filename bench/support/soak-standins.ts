import { startStandIns } from '#local/aws-standins.ts';

/**
 * The soak's AWS stand-ins (DynamoDB, SQS, S3) in a process of their own, as AWS is in production: the
 * utterances the soak stores then weigh on this process, not on the heap the soak measures. Prints its
 * endpoints as one JSON line and runs until its parent ends it.
 */
const standIns = await startStandIns({ sqsAndS3: true });
console.log(JSON.stringify({ dynamodb: standIns.dynamodb, fauxqs: standIns.fauxqs }));
process.on('SIGTERM', () => void standIns.stop().finally(() => process.exit(0)));
