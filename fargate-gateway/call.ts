import { randomUUID } from 'node:crypto';
import { roleOfChannel, type Role } from '#core/domain/participant.ts';
import { storedText } from '#core/domain/utterance.ts';
import { canonicalLanguage, type TranscriptionSettings } from '#core/domain/transcription.ts';
import type { StartResults, StartedParticipant, StopResults, StreamStatus } from '#core/domain/participant-result.ts';
import type { AppLogger } from '#core/logger.ts';
import { scratchChannels, splitChannels } from './audio/deinterleave.ts';
import { AudioTimeline } from './audio/timeline.ts';
import type { SelectedMedia } from './audiohook/media.ts';
import type { OpenParameters } from './audiohook/messages.ts';
import type { AudioHookSession, SessionHandler } from './audiohook/session.ts';
import type { Recognizer } from './recognition/recognizer.ts';
import { TranscriptionSpan, type SpanFinal, type SpanOptions } from './utterances/span.ts';
import type { UtteranceSink } from './utterances/utterance-sink.ts';
import type { TenantVocabulary } from '#core/vocabulary/tenant-vocabulary.ts';
import { transcriptEntity } from './audiohook/transcript-entity.ts';
import type { CallRecorder } from './recording/call-recorder.ts';
import type { SpanRecording } from './recording/span-recording.ts';
import { STREAM_STATUS } from '#core/contract/status-codes.ts';

/**
 * The call behind one AudioHook session: the audio path (de-interleave, decode, timeline, counters)
 * and the transcription spans that start/stop open and close. The session holds the protocol; the
 * call holds what the control API acts on.
 */

export interface CallDependencies {
  recognizer: Recognizer;
  sink: UtteranceSink;
  tenant: string;
  /** Redaction settings of a tenant's utterances (the defaults plus the tenant's own rules). */
  redaction: (tenant: string) => SpanOptions['redaction'];
  logger: AppLogger;
  /** Lifecycle notifications for the session registry (DynamoDB in the full system). */
  events?: CallEvents;
  /** Longest wait for the last finals when a span ends (stop or close). */
  flushBudgetMs?: number;
  /** Send each final utterance back as a Transcription Connector `event` (also when `customConfig.transcriptEvents` is true). */
  transcriptEvents?: boolean;
  /** How sessions are served unless their `customConfig.mode` says otherwise (default `monitor`). */
  mode?: SessionMode;
  /** The tenant's custom vocabulary, loaded when a span starts (calls never wait for it). */
  vocabulary?: (tenant: string) => Promise<TenantVocabulary>;
  /** Language of a connector session whose `open` names none (default `en-US`). */
  defaultLanguage?: string;
  /** The tenant's engine vocabulary (Amazon Transcribe) for a language, when one is READY. */
  engineVocabulary?: (tenant: string, language: string) => string | undefined;
  /** Present when the deployment allows call recording; a start records only when it asks to. */
  recorder?: CallRecorder;
  now?: () => number;
}

/**
 * `monitor`: transcription runs between start-streaming and stop-streaming (the ASAPP API).
 * `connector`: a Genesys Transcription Connector: transcription runs from `opened` to `close`, in the
 * language of `open` and `update`, and every final goes back to Genesys as a `transcript` event; the
 * utterances are stored and delivered as for any call.
 */
export type SessionMode = 'monitor' | 'connector';
const SESSION_MODES: readonly SessionMode[] = ['monitor', 'connector'];

export interface CallEvents {
  opened?(call: Call): void;
  closing?(call: Call): void;
  /**
   * The call ended; `report` is set when transcription was running at the end (returned once by stop).
   * The call stays findable (answering `closing`) until the returned promise settles, so the registry
   * holds the final summary before a stop can miss it.
   */
  ended?(call: Call, report: StopResults | undefined): Promise<void> | void;
}

export interface StartRequest {
  settings: TranscriptionSettings;
  streamIds?: Partial<Record<Role, string>>;
  externalConversationId?: string;
  /** Tenant of the credentials that started the span (the utterances' company_marker). */
  tenant?: string;
}

export type StartOutcome = { ok: true; report: StartResults } | { ok: false; error: 'closing' | 'running' | 'ended' };
export type StopOutcome = { ok: true; report: StopResults } | { ok: false; error: 'closing' | 'not-running' | 'ended' };

export interface AudioCounters {
  /** Samples per participant received from Genesys, transcribed or not. */
  receivedSamples: Record<Role, number>;
  droppedBytes: number;
  /** `paused` messages while streaming. */
  pauses: number;
}

const MAX_LISTED_DISCARDS = 100;

export class Call implements SessionHandler {
  readonly timeline = new AudioTimeline();
  /** Where on the call's timeline audio was discarded (pauses included), the first MAX_LISTED_DISCARDS. */
  readonly discards: Array<{ startMs: number; durationMs: number }> = [];
  readonly counters: AudioCounters = { receivedSamples: { customer: 0, agent: 0 }, droppedBytes: 0, pauses: 0 };
  private channelRoles: Role[] = [];
  private span: TranscriptionSpan | undefined;
  /** The running span's recording, when its start asked for one and the deployment allows it. */
  private recording: SpanRecording | undefined;
  /** The running span, or else the last one that ran: its statuses stay visible after it stopped. */
  private latestSpan: TranscriptionSpan | undefined;
  private stopping: Promise<StopResults> | undefined;
  /** Settles with the report of the last stop if its answer did not reach the caller (see stopTranscription). */
  private undelivered: Promise<StopResults | undefined> | undefined;
  private isFinished = false;
  private endPromise: Promise<void> | undefined;
  private readonly logger: AppLogger;
  private readonly now: () => number;
  readonly mode: SessionMode;
  /** We asked the client to pause because the engine lacks the session's language (protocol §18). */
  private pausedForLanguage = false;
  /** `language` of `open`, then of the latest `update` that named one. */
  private sessionTag: string | undefined;

  constructor(
    readonly session: AudioHookSession,
    readonly open: OpenParameters,
    private readonly deps: CallDependencies,
  ) {
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
    this.sessionTag = open.language;
    const asked = open.customConfig?.mode;
    this.mode = SESSION_MODES.find((m) => m === asked) ?? deps.mode ?? 'monitor';
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

  /**
   * Status of each present participant (recognizer errors show here) in the running span, or in the last
   * one that ran: speech lost just before a stop is still seen by the console's next round.
   */
  get transcriptionStatus(): Partial<Record<Role, StreamStatus>> | undefined {
    const span = this.latestSpan;
    if (!span) return undefined;
    return Object.fromEntries(this.channelRoles.map((role) => [role, span.statusOf(role)]));
  }

  get presentRoles(): Role[] {
    return [...this.channelRoles];
  }

  // ---- SessionHandler ----------------------------------------------------------------------------

  opened(_open: OpenParameters, media: SelectedMedia | undefined): void {
    this.channelRoles = (media?.channels ?? []).map(roleOfChannel);
    this.deps.events?.opened?.(this);
    if (this.mode === 'connector' && this.channelRoles.length > 0) this.startConnector();
  }

  /** Connector mode: Genesys drives the session, so transcription starts with it. */
  private startConnector(): void {
    const outcome = this.startTranscription({
      settings: {
        detailedToken: false,
        redactionOutput: 'redacted',
        audioRecordingAllowed: false,
        customerId: this.open.participant?.id ?? '',
        agentId: '',
      },
    });
    if (outcome.ok) this.checkLanguage();
  }

  /** The session's own language (from `open`, changed by `update`): canonical tag, or as sent when unsupported. */
  private get sessionLanguage(): string {
    const tag = this.sessionTag ?? this.deps.defaultLanguage ?? 'en-US';
    return canonicalLanguage(tag) ?? tag;
  }

  audio(frame: Uint8Array): void {
    const channelCount = this.channelRoles.length as 1 | 2;
    const samplesPerChannel = Math.floor(frame.length / channelCount);
    const droppedBytes = frame.length - samplesPerChannel * channelCount;
    if (droppedBytes > 0) {
      this.counters.droppedBytes += droppedBytes;
      // A peer can send this with every frame (5 a second per call): the connection's warning budget applies.
      this.session.warn('audio frame length is not a multiple of the channel count; incomplete tail dropped', {
        frameBytes: frame.length,
        channelCount,
        droppedBytes,
      });
    }
    for (const role of this.channelRoles) this.counters.receivedSamples[role] += samplesPerChannel;
    // Decoding is for the recognizer and the recording alone: outside a span, audio is only counted.
    const { span, recording } = this;
    if (span || recording) {
      const startSample = this.timeline.positionSamples;
      // The recording copies what it writes; the recognizer may keep the arrays unless it says it copies.
      const lend = span ? span.copiesInput : true;
      const { channels } = splitChannels(frame, channelCount, lend ? scratchChannels(samplesPerChannel) : undefined);
      if (span) for (let i = 0; i < channels.length; i++) span.write(this.channelRoles[i], channels[i], startSample);
      if (recording) {
        const byRole: Partial<Record<Role, Int16Array>> = {};
        for (let i = 0; i < channels.length; i++) byRole[this.channelRoles[i]] = channels[i];
        recording.write(byRole, startSample, samplesPerChannel);
      }
    }
    this.timeline.addReceived(samplesPerChannel);
  }

  discarded(seconds: number): void {
    if (this.discards.length < MAX_LISTED_DISCARDS)
      this.discards.push({ startMs: Math.round(this.timeline.positionMs()), durationMs: Math.round(seconds * 1000) });
    this.timeline.addDiscarded(seconds);
  }

  /** A pause ends the utterances in progress; what follows the pause is a new utterance. */
  paused(): void {
    this.counters.pauses++;
    this.span?.restart();
  }

  resumed(): void {
    this.pausedForLanguage = false;
  }

  /** An `update` ends the utterances in progress; a new language applies to everything after it. */
  updated(update: { language?: string }): void {
    if (update.language !== undefined) this.sessionTag = update.language;
    const span = this.span;
    if (!span) return;
    // A span started with an explicit language keeps it unless the update names another.
    const language = update.language === undefined ? span.currentLanguage : this.sessionLanguage;
    if (language !== span.currentLanguage) this.session.info('language changed', { from: span.currentLanguage, to: language });
    span.restart(language);
    this.checkLanguage();
  }

  /**
   * A language the engine lacks is never a silent failure: the span reports 4050, and a connector session
   * is paused (as the protocol's reference transcription server does) until an `update` names one it has.
   */
  private checkLanguage(): void {
    const span = this.span;
    if (!span) return;
    const supported = TranscriptionSpan.supports(this.deps.recognizer, span.currentLanguage);
    if (!supported) {
      // Each `update` from the peer can repeat it: the connection's warning budget applies.
      this.session.warn('language not supported by the speech engine; recognition suspended', { language: span.currentLanguage });
      if (this.mode === 'connector' && !this.pausedForLanguage && this.session.pause()) this.pausedForLanguage = true;
    } else if (this.pausedForLanguage && this.session.resume()) {
      this.pausedForLanguage = false;
    }
  }

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
      sink: this.deps.sink,
      // The start's language wins, else the session's own (open/update), else the configured default.
      language: request.settings.language ?? this.sessionLanguage,
      ...(this.wantsTranscriptEvents ? { wordTimings: true, onFinal: (final: SpanFinal) => this.sendTranscript(final) } : {}),
      audioEpochMs: this.session.openedAt ?? this.now(),
      tenant: request.tenant ?? this.deps.tenant,
      ...(this.deps.vocabulary ? { vocabulary: this.deps.vocabulary(request.tenant ?? this.deps.tenant) } : {}),
      ...(this.deps.engineVocabulary ? { engineVocabulary: this.engineVocabularyOf(request.tenant ?? this.deps.tenant) } : {}),
      redaction: this.deps.redaction(request.tenant ?? this.deps.tenant),
      logger: this.logger,
      now: this.now,
      flushBudgetMs: this.deps.flushBudgetMs,
    });
    const report = {
      customer: this.participantReport(span, 'customer', streamIds.customer),
      agent: this.participantReport(span, 'agent', streamIds.agent),
    };
    const refusedLanguage =
      report.customer.status.code === STREAM_STATUS.LANGUAGE_NOT_SUPPORTED ||
      report.agent.status.code === STREAM_STATUS.LANGUAGE_NOT_SUPPORTED;
    const connectorWaitsForLanguage = this.mode === 'connector' && refusedLanguage;
    if (report.customer.status.code !== STREAM_STATUS.OK && report.agent.status.code !== STREAM_STATUS.OK && !connectorWaitsForLanguage) {
      // Nothing can be transcribed: keep nothing running, so the caller may fix the request and retry.
      void span.end();
      this.logger.warn('transcription not started: no participant can be transcribed', {
        customer: report.customer.status.code,
        agent: report.agent.status.code,
      });
      return { ok: true, report };
    }
    this.span = span;
    this.latestSpan = span;
    // A new span supersedes an unreported summary, as in the registry.
    this.undelivered = undefined;
    this.recording = this.openRecording(request, streamIds);
    this.logger.info('transcription started', {
      customerStreamId: streamIds.customer,
      agentStreamId: streamIds.agent,
      recording: this.recording !== undefined,
    });
    return { ok: true, report };
  }

  private engineVocabularyOf(tenant: string): (language: string) => string | undefined {
    const lookup = this.deps.engineVocabulary!;
    return (language) => lookup(tenant, language);
  }

  /** `audioRecordingAllowed` is the caller's permission; the deployment may still forbid recording. */
  private openRecording(request: StartRequest, streamIds: Record<Role, string>): SpanRecording | undefined {
    if (!request.settings.audioRecordingAllowed) return undefined;
    if (!this.deps.recorder) {
      this.logger.info('recording asked for but not allowed in this deployment (CALL_RECORDING, RECORDINGS_BUCKET)');
      return undefined;
    }
    return this.deps.recorder.open({
      tenant: request.tenant ?? this.deps.tenant,
      conversationId: this.conversationId.toLowerCase(),
      streamIds,
      startSample: this.timeline.positionSamples,
      logger: this.logger,
    });
  }

  /**
   * Ends a span and its recording together, so the recording is listed once stop has answered. A
   * recording that fails is logged and dropped; it never fails the span or its report.
   */
  private async endSpan(span: TranscriptionSpan): Promise<StopResults> {
    const recording = this.recording;
    this.recording = undefined;
    const [report] = await Promise.all([span.end(), recording?.close()]);
    return report;
  }

  private get wantsTranscriptEvents(): boolean {
    return this.mode === 'connector' || this.deps.transcriptEvents === true || this.open.customConfig?.transcriptEvents === true;
  }

  /** Each final goes back as it is recorded; the session holds events back until allowed (§6, §14). */
  private sendTranscript(final: SpanFinal): void {
    const { utterance } = final;
    const channelId = this.channelRoles.indexOf(utterance.role);
    const channel = this.session.media?.channels[channelId];
    if (channelId < 0 || channel === undefined) return;
    this.session.sendEvent([
      transcriptEntity({
        id: randomUUID(),
        channelId,
        channel,
        language: final.language,
        startMs: utterance.startMs,
        endMs: utterance.endMs,
        text: storedText(utterance),
        confidence: final.confidence,
        words: final.words,
        tokens: final.tokens,
      }),
    ]);
  }

  private participantReport(span: TranscriptionSpan, role: Role, streamId: string): StartedParticipant {
    const status = span.statusOf(role);
    if (status.code === STREAM_STATUS.OK) return { streamId, status };
    const reason = !this.channelRoles.includes(role) ? 'channel not present in the AudioHook session' : status.description.toLowerCase();
    // The public errorMessage names the participant itself (responses.ts): the detail does not repeat it.
    return { streamId, status, message: reason };
  }

  /**
   * Stops the running span and returns its report. `delivered`, when given, settles with whether the
   * report reached the caller: one that did not (the caller timed out during a long flush, or went away)
   * is kept, and the next stop — or, when the call ends first, the registry — gets it, so a stop racing
   * a close or a timeout never loses a span's summary.
   */
  async stopTranscription(delivered?: Promise<boolean>): Promise<StopOutcome> {
    // While the call is being torn down its final summary is still on its way to the registry.
    if (this.isFinished) return { ok: false, error: 'ended' };
    if (this.isClosing || this.ended) return { ok: false, error: 'closing' };
    const span = this.span;
    if (!span) {
      const kept = await this.takeUndelivered();
      return kept ? { ok: true, report: kept } : { ok: false, error: 'not-running' };
    }
    // Audio stops flowing to recognition at once; the flush may take a moment.
    this.span = undefined;
    const stopping = this.endSpan(span);
    this.stopping = stopping;
    if (delivered) this.undelivered = stopping.then(async (report) => ((await delivered) ? undefined : report));
    try {
      const report = await stopping;
      this.logger.info('transcription stopped', summaryLog(report));
      return { ok: true, report };
    } finally {
      this.stopping = undefined;
    }
  }

  /** The report of a stop whose answer never reached its caller, once; undefined when there is none. */
  private async takeUndelivered(): Promise<StopResults | undefined> {
    const pending = this.undelivered;
    this.undelivered = undefined;
    const report = await pending?.catch(() => undefined);
    if (report) this.logger.warn('the last stop answer did not reach its caller; its summary is handed on', summaryLog(report));
    return report;
  }

  /** The call is over: flush a running span; its report is handed to the registry, returned once by stop. */
  private endCall(): Promise<void> {
    this.endPromise ??= this.finishCall();
    return this.endPromise;
  }

  private async finishCall(): Promise<void> {
    const span = this.span;
    this.span = undefined;
    let report: StopResults | undefined;
    if (span) {
      report = await this.endSpan(span);
      this.logger.info('transcription ended with the call', summaryLog(report));
    } else {
      await this.stopping?.catch(() => undefined);
      report = await this.takeUndelivered();
    }
    try {
      await this.deps.events?.ended?.(this, report);
    } catch (error) {
      this.logger.error('recording the end of the call failed', { error });
    }
    this.isFinished = true;
  }
}

function summaryLog(report: StopResults): Record<string, unknown> {
  return {
    customer: { streamId: report.customer.streamId, ...report.customer.summary },
    agent: { streamId: report.agent.streamId, ...report.agent.summary },
  };
}
