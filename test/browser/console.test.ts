import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateCall, type CallResult } from '#local/simulator/simulate-call.ts';
import { loadCallAudio, type CallAudio } from '#local/simulator/wav-source.ts';
import type { LocalSystem } from '#local/system.ts';
import { audiohookConnection, startTestSystem } from '#test/support/local-system.ts';
import { runBuild } from '#scripts/build.ts';
import { launchChromium } from '../support/browser.ts';

/**
 * The console as a person uses it, in real headless Chromium: the console built by `npm run build`,
 * served by the local system as `npm start` runs it, the sample call played into the gateway, and
 * only what is on the screen asserted. Screenshots of the main screens are saved on the way.
 */

interface Turn {
  role: 'customer' | 'agent';
  startMs: number;
  endMs: number;
  text: string;
}
const reference = JSON.parse(readFileSync('samples/sample-call.json', 'utf8')) as { turns: Turn[] };
/** `npm run screenshots` refreshes the committed ones in docs/screenshots; a plain test run keeps its own out of the tree. */
const SHOTS = process.env.CONSOLE_SCREENSHOTS_DIR || '.local/screenshots';
const FAILING_CONVERSATION = '6a1b7c2d-0000-4000-8000-0000000f0500';

let system: LocalSystem;
let browser: Browser;
let page: Page;
let audio: CallAudio;
let target: Server;
let buildDir: string;
const deliveredTo: string[] = [];

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(tmpdir(), 'console-build-'));
  mkdirSync(SHOTS, { recursive: true });
  await runBuild({ outdir: buildDir, steps: ['console'] });
  // The customer's webhook target: accepts every call's utterances but one's, which it answers 500.
  target = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const conversation = (JSON.parse(body) as { externalConversationId: string }).externalConversationId;
      deliveredTo.push(conversation);
      res.writeHead(conversation === FAILING_CONVERSATION ? 500 : 204).end();
    });
  });
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  system = await startTestSystem({
    RECOGNIZER: 'embedded',
    EMBEDDED_DECODERS: '2',
    LIVE_PUBLISH_INTERVAL_MS: '1000',
    WEBHOOK_URL: `http://127.0.0.1:${(target.address() as AddressInfo).port}/hook`,
    WEBHOOK_AUTH_MODE: 'none',
    CONSOLE_DIR: path.join(buildDir, 'console'),
  });
  audio = loadCallAudio('samples/sample-call.wav');
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1366, height: 820 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await system?.stop();
  await new Promise((resolve) => target?.close(resolve));
  rmSync(buildDir, { recursive: true, force: true });
});

const play = (
  conversationId: string | undefined,
  seconds: number,
  speed: number,
  hooks: Partial<Parameters<typeof simulateCall>[0]> = {},
): Promise<CallResult> =>
  simulateCall({
    ...audiohookConnection(system),
    speed,
    audio: { ...audio, mulaw: audio.mulaw.subarray(0, seconds * 8000 * audio.channels) },
    ...(conversationId ? { conversationId } : {}),
    ...hooks,
  });

/**
 * Records in the page the epoch ms at which each utterance (by message id) first appears. Browser-side
 * code is a string: this file is type-checked for Node, not the DOM.
 */
const WATCH_UTTERANCES = `(() => {
  window.appeared = {};
  const note = () => { for (const el of document.querySelectorAll('li.utterance')) window.appeared[el.dataset.messageId] ??= Date.now(); };
  new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
  note();
})()`;
const SHOWN_UTTERANCES = `[...document.querySelectorAll('li.utterance')].map((el) => ({ id: el.dataset.messageId, role: el.dataset.role, time: el.querySelector('time').textContent }))`;

function referenceRole(startMs: number, endMs: number): Turn['role'] | undefined {
  let best: Turn | undefined;
  let bestOverlap = 0;
  for (const turn of reference.turns) {
    const overlap = Math.min(endMs, turn.endMs) - Math.max(startMs, turn.startMs);
    if (overlap > bestOverlap) [best, bestOverlap] = [turn, overlap];
  }
  return best?.role;
}

describe('the console in Chromium', () => {
  it('shows a call live, its transcript as it is spoken, start/stop from the buttons, and its health', async () => {
    await page.goto(system.urls.console!);
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'No calls right now' }).count()).toBe(1);

    // Real time, and the call stays open after its audio until the checks of the live call are done.
    let hangUp!: () => void;
    const hungUp = new Promise<void>((resolve) => (hangUp = resolve));
    const call = play(undefined, 60, 1, { beforeClose: () => hungUp });
    // The call appears live, without a reload.
    const row = page.locator('table.calls tbody tr').first();
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.getByText('Open, not transcribed').count()).toBe(1);
    const conversationId = (await row.getAttribute('data-conversation-id'))!;
    await expect.poll(() => row.locator('td[data-label=utterances]').textContent()).toBe('0');
    await page.screenshot({ path: `${SHOTS}/live-calls.png` });

    await row.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: /^Call / }).waitFor();
    await page.evaluate(WATCH_UTTERANCES);
    await page.getByRole('button', { name: 'Start transcription' }).click();
    await expect.poll(() => page.locator('.call-header [data-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('transcribing');

    // Utterances arrive while the call runs; stop, then start again, from the buttons.
    await expect.poll(() => page.locator('li.utterance').count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Stop transcription' }).click();
    await expect.poll(() => page.locator('.call-header [data-state]').getAttribute('data-state'), { timeout: 20_000 }).toBe('open');
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Transcription stopped.' }).count(), { timeout: 30_000 }).toBe(1);
    const afterStop = await page.locator('li.utterance').count();
    await page.getByRole('button', { name: 'Start transcription' }).click();
    await expect.poll(() => page.locator('.call-header [data-state]').getAttribute('data-state'), { timeout: 10_000 }).toBe('transcribing');
    await expect.poll(() => page.locator('li.utterance').count(), { timeout: 30_000 }).toBeGreaterThan(afterStop);
    await page.screenshot({ path: `${SHOTS}/call-live.png`, fullPage: true });

    hangUp();
    await call;
    await expect.poll(() => page.locator('.call-header [data-state]').getAttribute('data-state'), { timeout: 30_000 }).toBe('closed');
    await expect.poll(() => page.locator('[data-count=pending]').textContent(), { timeout: 30_000 }).toBe('0 pending');

    // In order, with the right roles, on the call's audio timeline.
    const shown = await page.evaluate<Array<{ id: string; role: string; time: string }>>(SHOWN_UTTERANCES);
    expect(shown.length).toBeGreaterThanOrEqual(6);
    const ms = (t: string) => {
      const [m, s] = t.split(':');
      return (Number(m) * 60 + Number(s)) * 1000;
    };
    const spans = shown.map((u) => ({ ...u, start: ms(u.time.split('–')[0]!), end: ms(u.time.split('–')[1]!) }));
    for (let i = 1; i < spans.length; i++) expect(spans[i]!.start).toBeGreaterThanOrEqual(spans[i - 1]!.start);
    for (const u of spans) expect(u.role).toBe(referenceRole(u.start, u.end));
    expect(new Set(spans.map((u) => u.role))).toEqual(new Set(['customer', 'agent']));

    // Each utterance was on screen within 2 s of its webhook body being produced (recorded).
    const appeared = await page.evaluate<Record<string, number>>('window.appeared');
    const stored = (await (await fetch(`${system.urls.api}/console/v1/conversations/${conversationId}/messages`)).json()) as {
      items: Array<{ messageId: string; createdTimestamp: string }>;
    };
    const lags = stored.items.map((m) => appeared[m.messageId]! - Date.parse(m.createdTimestamp));
    expect(lags.every((lag) => Number.isFinite(lag) && lag <= 2_000)).toBe(true);

    // Health: opened latency, start-streaming called, every utterance delivered.
    const health = page.getByRole('complementary').locator('section.health');
    expect(await health.locator('[data-field=open-latency]').textContent()).toMatch(/^\d+ ms/);
    expect(await health.locator('[data-field=start-called]').textContent()).toBe('Yes');
    expect(await health.locator('[data-field=probe]').textContent()).toBe('Real call');
    expect(await health.locator('[data-count=delivered]').textContent()).toBe(`${stored.items.length} delivered`);
    expect(await health.locator('[data-count=failed]').textContent()).toBe('0 failed');
    expect(await page.locator('li.utterance [data-delivery=delivered]').count()).toBe(stored.items.length);
    // The speaker timeline is a picture with a bar per utterance.
    expect(await page.locator('figure.timeline svg rect.speech').count()).toBe(stored.items.length);
    await page.locator('.call-header').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/call-after.png`, fullPage: true });
  }, 240_000);

  it('shows a failing webhook target as failed deliveries with its status', async () => {
    const call = play(FAILING_CONVERSATION, 24, 2, {
      afterOpened: async () => {
        const res = await fetch(`${system.urls.api}/console/v1/start-streaming`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ namespace: 'genesysaudiohook', guid: FAILING_CONVERSATION, customerId: 'C-9', agentId: 'A-9' }),
        });
        expect(res.status).toBe(200);
      },
    });
    // Found by its id, as someone asking "why did our system not get this call?" would.
    await page.goto(system.urls.console!);
    await page.getByRole('link', { name: 'Find a call' }).click();
    await page.getByLabel('Conversation id').fill(FAILING_CONVERSATION);
    await page.getByRole('button', { name: 'Open' }).click();
    await call;
    const health = page.locator('section.health');
    await expect.poll(() => page.locator('.call-header [data-state]').getAttribute('data-state'), { timeout: 30_000 }).toBe('closed');
    await expect.poll(() => health.locator('[data-count=pending]').textContent(), { timeout: 60_000 }).toBe('0 pending');
    // The transcript and the health panel refresh on their own clocks: wait until both show every outcome.
    const failedCount = async () => Number((await health.locator('[data-count=failed]').textContent())!.split(' ')[0]);
    await expect
      .poll(async () => (await page.locator('li.utterance [data-delivery=failed]').count()) === (await failedCount()), { timeout: 10_000 })
      .toBe(true);
    const failed = await failedCount();
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(await health.locator('[data-count=delivered]').textContent()).toBe('0 delivered');
    expect(await health.locator('[data-field=failed-statuses]').textContent()).toBe(`Failed with target status: 500 × ${failed}`);
    expect(await page.locator('li.utterance [data-delivery=failed]').count()).toBe(failed);
    expect(await page.locator('li.utterance [data-delivery=failed]').first().textContent()).toBe('failed 500');
    expect(deliveredTo.filter((c) => c === FAILING_CONVERSATION).length).toBe(failed);
    await page.screenshot({ path: `${SHOTS}/call-failed-deliveries.png`, fullPage: true });
  }, 120_000);
});
