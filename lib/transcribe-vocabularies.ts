import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TRANSCRIBE_VOCABULARY_PREFIX } from '#core/vocabulary/transcribe-vocabulary.ts';

/** The Amazon Transcribe custom vocabularies this service creates (names start with its prefix), as an IAM resource. */
export function transcribeVocabularyArns(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'transcribe', resource: 'vocabulary', resourceName: `${TRANSCRIBE_VOCABULARY_PREFIX}*` });
}
