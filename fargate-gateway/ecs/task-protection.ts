import type { AppLogger } from '#core/logger.ts';

/**
 * ECS task scale-in protection while the task holds live calls: an AudioHook session cannot move to
 * another task (protocol §17), so scale-in must not stop a task mid-call. The ECS agent endpoint
 * (`$ECS_AGENT_URI/task-protection/v1/state`) is only present on ECS; elsewhere this does nothing.
 *
 * Protection is requested with an expiry and renewed while calls continue, so a task that dies
 * without clearing it is not protected forever.
 */

export interface TaskProtectionOptions {
  agentUri: string | undefined;
  logger: AppLogger;
  /** Minutes each request protects for (ECS allows 1–2880). */
  expiresInMinutes?: number;
  fetchImpl?: typeof fetch;
}

export class TaskProtection {
  private protectedNow = false;
  private desired = false;
  private renewTimer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private readonly expiresInMinutes: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TaskProtectionOptions) {
    this.expiresInMinutes = options.expiresInMinutes ?? 60;
    this.fetchImpl = options.fetchImpl ?? fetch;
  }

  get enabled(): boolean {
    return this.options.agentUri !== undefined;
  }

  /** Call whenever the number of live sessions changes. */
  update(liveSessions: number): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    this.desired = liveSessions > 0;
    // Requests are serialised so the agent always ends up with the latest wish.
    this.inFlight = this.inFlight.then(() => this.apply());
    return this.inFlight;
  }

  stop(): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
  }

  private async apply(): Promise<void> {
    if (this.desired === this.protectedNow) return;
    const wanted = this.desired;
    const ok = await this.request(wanted);
    if (!ok) return;
    this.protectedNow = wanted;
    if (wanted) {
      this.renewTimer ??= setInterval(() => void this.request(true), (this.expiresInMinutes * 60_000) / 2);
      this.renewTimer.unref();
    } else this.stop();
  }

  private async request(protect: boolean): Promise<boolean> {
    const url = `${this.options.agentUri}/task-protection/v1/state`;
    const body = protect ? { ProtectionEnabled: true, ExpiresInMinutes: this.expiresInMinutes } : { ProtectionEnabled: false };
    try {
      const res = await this.fetchImpl(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
      if (!res.ok) {
        this.options.logger.warn('task protection request refused', { status: res.status, protect });
        return false;
      }
      this.options.logger.info('task protection updated', { protect });
      return true;
    } catch (error) {
      this.options.logger.warn('task protection request failed', { error: (error as Error).message, protect });
      return false;
    }
  }
}
