import type { AppLogger } from '#core/logger.ts';
import type { Retirement } from './service-membership.ts';

/**
 * The task's retirement state machine, driven by a periodic check of what its ECS service wants
 * (service-membership.ts):
 *
 *   serving ──(superseded | selected for scale-in)──▶ retiring ──(no live call)──▶ protection released
 *      ▲                                                 │
 *      └────────────(deployment rolled back | surplus gone)┘
 *
 * Retiring means: `/health` answers 503 so the load balancer stops routing new connections here (the
 * target group keeps the established ones: connection termination on unhealthy targets is off), new
 * upgrades that still arrive are refused with 503, and every live call continues until it ends. Task
 * protection follows the live calls (task-protection.ts), so the last call's end releases it and ECS
 * may stop the task; its SIGTERM then finds nothing left to drain.
 *
 * A failed check changes nothing: a task that cannot reach the ECS API keeps doing what it did.
 */
export interface TaskRetirementOptions {
  check(): Promise<Retirement | undefined>;
  onChange(retirement: Retirement): void;
  intervalMs: number;
  logger: AppLogger;
}

export class TaskRetirement {
  private current: Retirement = { retire: false };
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: TaskRetirementOptions) {}

  get state(): Retirement {
    return this.current;
  }

  start(): void {
    const tick = () => {
      this.running = this.checkNow().finally(() => {
        this.running = undefined;
        if (this.timer) this.timer = setTimeout(tick, this.options.intervalMs).unref();
      });
    };
    this.timer = setTimeout(tick, this.options.intervalMs).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One check (also what the timer runs). */
  async checkNow(): Promise<void> {
    let next: Retirement | undefined;
    try {
      next = await this.options.check();
    } catch (error) {
      this.options.logger.warn('service membership check failed; keeping the current state', {
        error: (error as Error).message,
        retiring: this.current.retire,
      });
      return;
    }
    if (!next || sameRetirement(next, this.current)) return;
    this.current = next;
    if (next.retire) this.options.logger.info('task retiring: no new calls, live calls continue', { reason: next.reason });
    else this.options.logger.info('task serving again: taking new calls');
    this.options.onChange(next);
  }
}

function sameRetirement(a: Retirement, b: Retirement): boolean {
  return a.retire === b.retire && (!a.retire || !b.retire || a.reason === b.reason);
}
