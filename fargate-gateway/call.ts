import { randomUUID } from 'node:crypto';
import { roleOfChannel, type Role } from '../core/domain/participant.ts';
import type { TranscriptionSettings } from '../core/domain/transcription.ts';
import type { AppLogger } from '../core/logger.ts';
import { splitChannels } from './audio/deinterleave.ts';
import { AudioTimeline } from './audio/timeline.ts';
import type { SelectedMedia } from './audiohook/media.ts';
import type { OpenParameters } from './audiohook/messages.ts';
import type { AudioHookSession, SessionHandler } from './audiohook/session.ts';
import type { Recognizer } from './recognition/recognizer.ts';
import { TranscriptionSpan, type SpanReport, type SpanOptions } from './transcription/span.ts';
import type { UtteranceSink } from './transcription/utterance-sink.ts';
import { transcriptEntity } from './audiohook/transcript-entity.ts';

/**
 * The call behind one AudioHook session: the audio path (de-interleave, decode, timeline, counters)
 * and the transcription spans that start/stop open and close. The session holds the protocol; the
 * call holds what the control API acts on.
 */

export interface CallDependencies {
  recognizer: Recognizer;
  sink: UtteranceSink;
  tenant: string;
  redaction: SpanOptions['redaction'];
  logger: AppLogger;
  /** Lifecycle notifications for the session registry (DynamoDB in the full system). */
  events?: CallEvents;
  /** Longest wait for the last finals when a span ends (stop or close). */
  flushBudgetMs?: number;
  /** Send each final utterance back as a Transcription Connector `event` (also when `customConfig.transcriptEvents` is true). */
  transcriptEvents?: boolean;
  now?: () => number;
}

export interface CallEvents {
  opened?(call: Call): void;
  closing?(call: Call): void;
  /**
   * The call ended; `report` is set when transcription was running at the end (returned once by stop).
   * The call stays findable (answering `closing`) until the returned promise settles, so the registry
   * holds the final summary before a stop can miss it.
   */
  ended?(call: Call, report: SpanReport | undefined): Promise<void> | void;
}

export interface StartRequest {
  settings: TranscriptionSettings;
  streamIds?: Partial<Record<Role, string>>;
  externalConversationId?: string;
  /** Tenant of the credentials that started the span (the utterances' company_marker). */
  tenant?: string;
}

export interface StartedParticipant {
  streamId: string;
  status: { code: number; description: string };
  /** Why a participant is not transcribed (becomes the API's `errorMessage`). */
  message?: string;
}

export type StartOutcome = { ok: true; report: Record<Role, StartedParticipant> } | { ok: false; error: 'closing' | 'running' | 'ended' };
export type StopOutcome = { ok: true; report: SpanReport } | { ok: false; error: 'closing' | 'not-running' | 'ended' };

export interface AudioCounters {
  /** Samples per participant received from Genesys, transcribed or not. */
  receivedSamples: Record<Role, number>;
  droppedBytes: number;
}

export class Call implements SessionHandler {
  readonly timeline = new AudioTimeline();
  readonly counters: AudioCounters = { receivedSamples: { customer: 0, agent: 0 }, droppedBytes: 0 };
  private channelRoles: Role[] = [];
  private span: TranscriptionSpan | undefined;
  private stopping: Promise<SpanReport> | undefined;
  private isFinished = false;
  private endPromise: Promise<void> | undefined;
  private readonly logger: AppLogger;
  private readonly now: () => number;

  constructor(
    readonly session: AudioHookSession,
    readonly open: OpenParameters,
    private readonly deps: CallDependencies,
  ) {
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
  }

  get conversationId(): string {
    return this.open.conversationId;
  }

  get isClosing(): boolean {
    return this.session.state === 'closing' || this.session.state === 'closed' || this.session.state === 'finalized';
  }

  /** The call is over or being torn down: its end has begun. */
  private get ended(): boolean {
    return this.endPromise !== undefined;
  }

  get isTranscribing(): boolean {
    return this.span !== undefined;
  }

  get presentRoles(): Role[] {
    return [...this.channelRoles];
  }

  // ---- SessionHandler ----------------------------------------------------------------------------

  opened(_open: OpenParameters, media: SelectedMedia | undefined): void {
    this.channelRoles = (media?.channels ?? []).map(roleOfChannel);
    this.deps.events?.opened?.(this);
  }

  audio(frame: Uint8Array): void {
    const channelCount = this.channelRoles.length as 1 | 2;
    const startSample = this.timeline.positionSamples;
    const { channels, samplesPerChannel, droppedBytes } = splitChannels(frame, channelCount);
    if (droppedBytes > 0) {
      this.counters.droppedBytes += droppedBytes;
      this.logger.warn('audio frame length is not a multiple of the channel count; incomplete tail dropped', {
        frameBytes: frame.length, channelCount, droppedBytes,
      });
    }
    for (let i = 0; i < channels.length; i++) {
      const role = this.channelRoles[i];
      this.counters.receivedSamples[role] += samplesPerChannel;
      this.span?.write(role, channels[i], startSample);
    }
    this.timeline.addReceived(samplesPerChannel);
  }

  discarded(seconds: number): void {
    this.timeline.addDiscarded(seconds);
  }

  paused(): void {}

  resumed(): void {}

  async closing(): Promise<void> {
    this.deps.events?.closing?.(this);
    await this.endCall();
  }

  finalized(_abrupt: boolean): void {
    void this.endCall();
  }

  /** Resolves once the call has ended and its last results are recorded (after the socket closed). */
  get done(): Promise<void> {
    return this.endPromise ?? Promise.resolve();
  }

  // ---- control ------------------------------------------------------------------------------------

  startTranscription(request: StartRequest): StartOutcome {
    if (this.isFinished) return { ok: false, error: 'ended' };
    if (this.isClosing || this.ended) return { ok: false, error: 'closing' };
    if (this.span || this.stopping) return { ok: false, error: 'running' };
    const streamIds = {
      customer: request.streamIds?.customer ?? randomUUID(),
      agent: request.streamIds?.agent ?? randomUUID(),
    };
    const span = new TranscriptionSpan({
      conversationId: this.conversationId.toLowerCase(),
      externalConversationId: request.externalConversationId ?? this.conversationId,
      settings: request.settings,
      streamIds,
      presentRoles: this.channelRoles,
      recognizer: this.deps.recognizer,
      sink: this.wantsTranscriptEvents ? this.sinkWithEvents(request.settings.language) : this.deps.sink,
      audioEpochMs: this.session.openedAt ?? this.now(),
      tenant: request.tenant ?? this.deps.tenant,
      redaction: this.deps.redaction,
      logger: this.logger,
      now: this.now,
      flushBudgetMs: this.deps.flushBudgetMs,
    });
    const report = {
      customer: this.participantReport(span, 'customer', streamIds.customer),
      agent: this.participantReport(span, 'agent', streamIds.agent),
    };
    if (report.customer.status.code !== 1000 && report.agent.status.code !== 1000) {
      // Nothing can be transcribed: keep nothing running, so the caller may fix the request and retry.
      void span.end();
      this.logger.warn('transcription not started: no participant can be transcribed', {
        customer: report.customer.status.code, agent: report.agent.status.code,
      });
      return { ok: true, report };
    }
    this.span = span;
    this.logger.info('transcription started', { customerStreamId: streamIds.customer, agentStreamId: streamIds.agent });
    return { ok: true, report };
  }

  private get wantsTranscriptEvents(): boolean {
    return this.deps.transcriptEvents === true || this.open.customConfig?.transcriptEvents === true;
  }

  /** Events go out as results arrive; the session itself holds them back until allowed (§6, §14). */
  private sinkWithEvents(language: string): UtteranceSink {
    return {
      record: (utterance) => {
        const channelId = this.channelRoles.indexOf(utterance.role);
        if (channelId >= 0 && !this.session.sendEvent([transcriptEntity(utterance, channelId, language)])) {
          this.logger.debug('transcript event not sent (not allowed now)', { messageId: utterance.messageId });
        }
        return this.deps.sink.record(utterance);
      },
    };
  }

  private participantReport(span: TranscriptionSpan, role: Role, streamId: string): StartedParticipant {
    const status = span.statusOf(role);
    if (status.code === 1000) return { streamId, status };
    const reason = !this.channelRoles.includes(role)
      ? 'channel not present in the AudioHook session'
      : status.description.toLowerCase();
    return { streamId, status, message: `${role}: ${reason}` };
  }

  async stopTranscription(): Promise<StopOutcome> {
    // While the call is being torn down its final summary is still on its way to the registry.
    if (this.isFinished) return { ok: false, error: 'ended' };
    if (this.isClosing || this.ended) return { ok: false, error: 'closing' };
    const span = this.span;
    if (!span) return { ok: false, error: 'not-running' };
    // Audio stops flowing to recognition at once; the flush may take a moment.
    this.span = undefined;
    this.stopping = span.end();
    try {
      const report = await this.stopping;
      this.logger.info('transcription stopped', summaryLog(report));
      return { ok: true, report };
    } finally {
      this.stopping = undefined;
    }
  }

  /** The call is over: flush a running span; its report is handed to the registry, returned once by stop. */
  private endCall(): Promise<void> {
    this.endPromise ??= this.finishCall();
    return this.endPromise;
  }

  private async finishCall(): Promise<void> {
    const span = this.span;
    this.span = undefined;
    let report: SpanReport | undefined;
    if (span) {
      report = await span.end();
      this.logger.info('transcription ended with the call', summaryLog(report));
    } else if (this.stopping) {
      await this.stopping.catch(() => undefined);
    }
    try {
      await this.deps.events?.ended?.(this, report);
    } catch (error) {
      this.logger.error('recording the end of the call failed', { error });
    }
    this.isFinished = true;
  }
}

function summaryLog(report: SpanReport): Record<string, unknown> {
  return {
    customer: { streamId: report.customer.streamId, ...report.customer.summary },
    agent: { streamId: report.agent.streamId, ...report.agent.summary },
  };
}
