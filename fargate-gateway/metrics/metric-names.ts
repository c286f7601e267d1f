/**
 * The gateway's CloudWatch metrics (namespace POWERTOOLS_METRICS_NAMESPACE, dimension `service` =
 * `gateway`): the names the gateway emits and the stack's alarms watch. Dependency-free so the CDK
 * app imports it without loading the gateway.
 */
export const GATEWAY_SERVICE_NAME = 'gateway';

export const GATEWAY_METRIC = {
  /** Gauge, sampled every interval on each task: AudioHook sessions held (Average over tasks = per task). */
  liveSessions: 'LiveSessions',
  /** Sessions that reached `opened`. */
  sessionsOpened: 'SessionsOpened',
  /** Milliseconds from the `open` message to `opened` (authentication, registry, recognizer set-up). */
  openLatency: 'OpenLatency',
  /** Audio frames received outside streaming (after `paused`, before `opened`, after `close`): not transcribed. */
  framesDropped: 'FramesDropped',
  /** Recognizer failures of one participant, with dimension `StatusCode` (5002: Transcribe's stream quota). */
  recognizerErrors: 'RecognizerErrors',
  /** Utterances the calls produced (stored, then queued for the webhook). */
  utterances: 'Utterances',
  /** Utterances that could not be put on the webhook queue after every retry (stored, never delivered). */
  queuePublishFailures: 'QueuePublishFailures',
  /** Sessions the registry (conversations table) could not record: start-streaming cannot find them. */
  registrationFailures: 'RegistrationFailures',
  /**
   * Speech the engine will never recognize, counted when it happens: a segment a full engine dropped
   * or audio a stalled Transcribe stream's full backlog dropped (5002), or lost with a crashed decoder
   * or stream (5000). One per loss.
   */
  audioLost: 'RecognitionAudioLost',
  /** Milliseconds of speech in those losses, when the engine knows how much. */
  audioLostMs: 'RecognitionAudioLostMs',
  /** The client's round-trip time reported in its `ping` (`rtt`), milliseconds, one value per session and interval. */
  pingRtt: 'PingRtt',
} as const;

/** Dimension of {@link GATEWAY_METRIC.recognizerErrors}. */
export const STATUS_CODE_DIMENSION = 'StatusCode';
