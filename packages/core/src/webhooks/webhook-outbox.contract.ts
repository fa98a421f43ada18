import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GONE_REASON, type NewWebhookDelivery, type WebhookAttemptOutcome, type WebhookOutbox } from './webhook-outbox.js';

export interface WebhookOutboxHarness {
  outbox: WebhookOutbox;
  /** Closes the outbox and opens a new one on the same persisted state. */
  reopen: () => Promise<WebhookOutbox>;
  /** Another outbox on the same state, open at the same time (another process). */
  another: () => Promise<WebhookOutbox>;
  cleanup(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function makeDelivery(overrides: Partial<NewWebhookDelivery> = {}): NewWebhookDelivery {
  const id = `evt_${randomBytes(16).toString('hex')}`;
  return {
    id,
    job_id: 'batch_20240315_123456_hooks0',
    type: 'file.completed',
    url: 'https://hooks.example.com/i2m',
    body: JSON.stringify({ id, type: 'file.completed', created_at: '2024-03-15T12:35:00.000Z', data: { note: 'ünïcode / "quotes"' } }),
    ...overrides,
  };
}

const failed = (at: Date): WebhookAttemptOutcome => ({ status: 500, error: null, duration_ms: 12, next: { state: 'pending', at } });
const LONG = 60_000;

/** The behaviour every WebhookOutbox adapter must have; run it against each one. */
export function describeWebhookOutboxContract(name: string, factory: () => Promise<WebhookOutboxHarness>): void {
  describe(`WebhookOutbox contract: ${name}`, () => {
    let harness: WebhookOutboxHarness;
    let outbox: WebhookOutbox;

    beforeEach(async () => {
      harness = await factory();
      outbox = harness.outbox;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('queues a delivery as pending and due now, and ignores a second enqueue of its id', async () => {
      const delivery = makeDelivery();
      const before = Date.now();
      expect(await outbox.enqueue(delivery)).toBe(true);
      expect(await outbox.enqueue({ ...delivery, body: '{"changed":true}', url: 'https://other.example.com/' })).toBe(false);
      const [listed, ...rest] = await outbox.listForJob(delivery.job_id);
      expect(rest).toEqual([]);
      expect(listed).toMatchObject({ ...delivery, attempts: 0, last_status: null, last_error: null, last_duration_ms: null, state: 'pending' });
      expect(Date.parse(listed?.next_attempt_at ?? '')).toBeGreaterThanOrEqual(before - 1);
      expect(Date.parse(listed?.created_at ?? '')).toBeLessThanOrEqual(Date.now());
      expect(listed?.updated_at).toBe(listed?.created_at);
    });

    it("lists a job's deliveries in the order they were queued, and no other job's", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const delivery = makeDelivery();
        ids.push(delivery.id);
        await outbox.enqueue(delivery);
      }
      await outbox.enqueue(makeDelivery({ job_id: 'batch_20240315_123456_other0' }));
      expect((await outbox.listForJob('batch_20240315_123456_hooks0')).map((d) => d.id)).toEqual(ids);
      expect(await outbox.listForJob('batch_20240315_123456_nojob0')).toEqual([]);
    });

    it('hands a due delivery to one claimer until its lease ends', async () => {
      const delivery = makeDelivery();
      await outbox.enqueue(delivery);
      const [claim, ...more] = await outbox.claimDue({ limit: 10, leaseMs: 300 });
      expect(more).toEqual([]);
      expect(claim?.delivery).toMatchObject({ id: delivery.id, body: delivery.body, attempts: 0, state: 'pending' });
      expect(await outbox.claimDue({ limit: 10, leaseMs: 300 })).toEqual([]);
      await sleep(400); // the holder died without recording anything
      const [again] = await outbox.claimDue({ limit: 10, leaseMs: 300 });
      expect(again?.delivery.id).toBe(delivery.id);
      expect(again?.token).not.toBe(claim?.token);
    });

    it('claims at most `limit`, the earliest due first', async () => {
      const deliveries = [makeDelivery(), makeDelivery(), makeDelivery()];
      for (const delivery of deliveries) await outbox.enqueue(delivery);
      const first = await outbox.claimDue({ limit: 2, leaseMs: LONG });
      expect(first).toHaveLength(2);
      const second = await outbox.claimDue({ limit: 2, leaseMs: LONG });
      expect(second).toHaveLength(1);
      expect(new Set([...first, ...second].map((c) => c.delivery.id))).toEqual(new Set(deliveries.map((d) => d.id)));
    });

    it('records a failed attempt and holds the delivery back until its next attempt is due', async () => {
      const delivery = makeDelivery();
      await outbox.enqueue(delivery);
      const [claim] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      const at = new Date(Date.now() + 300);
      expect(await outbox.complete(claim!, failed(at))).toBe(true);
      const [record] = await outbox.listForJob(delivery.job_id);
      expect(record).toMatchObject({ attempts: 1, last_status: 500, last_error: null, last_duration_ms: 12, state: 'pending', next_attempt_at: at.toISOString() });
      expect(await outbox.claimDue({ limit: 1, leaseMs: LONG })).toEqual([]);
      await sleep(350);
      const [next] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      expect(next?.delivery).toMatchObject({ id: delivery.id, attempts: 1 });
      expect(await outbox.complete(next!, { status: null, error: 'no answer within 10000 ms', duration_ms: 10_000, next: { state: 'pending', at: new Date() } })).toBe(true);
      expect((await outbox.listForJob(delivery.job_id))[0]).toMatchObject({ attempts: 2, last_status: null, last_error: 'no answer within 10000 ms' });
    });

    it('stops offering a delivered or exhausted delivery, and counts pending ones', async () => {
      const [a, b, c] = [makeDelivery(), makeDelivery(), makeDelivery({ job_id: 'batch_20240315_123456_other0' })];
      for (const delivery of [a!, b!, c!]) await outbox.enqueue(delivery);
      expect(await outbox.pendingCount(a!.job_id)).toBe(2);
      expect(await outbox.pendingTotal()).toBe(3);
      const claims = await outbox.claimDue({ limit: 3, leaseMs: LONG });
      const claimOf = (id: string) => claims.find((claim) => claim.delivery.id === id)!;
      expect(await outbox.complete(claimOf(a!.id), { status: 204, error: null, duration_ms: 3, next: { state: 'delivered' } })).toBe(true);
      expect(await outbox.complete(claimOf(b!.id), { status: 404, error: null, duration_ms: 4, next: { state: 'exhausted' } })).toBe(true);
      await outbox.release(claimOf(c!.id));
      expect(await outbox.pendingCount(a!.job_id)).toBe(0);
      expect(await outbox.pendingTotal()).toBe(1);
      const listed = await outbox.listForJob(a!.job_id);
      expect(listed.map((d) => [d.state, d.attempts, d.last_status, d.next_attempt_at])).toEqual([
        ['delivered', 1, 204, null],
        ['exhausted', 1, 404, null],
      ]);
      expect(Date.parse(listed[0]!.updated_at)).toBeGreaterThanOrEqual(Date.parse(listed[0]!.created_at));
      expect((await outbox.claimDue({ limit: 3, leaseMs: LONG })).map((claim) => claim.delivery.id)).toEqual([c!.id]);
    });

    it('refuses the record of a holder whose lease ended and whose delivery another holds now', async () => {
      await outbox.enqueue(makeDelivery());
      const [stale] = await outbox.claimDue({ limit: 1, leaseMs: 100 });
      await sleep(150);
      const [current] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      expect(await outbox.complete(stale!, { status: 204, error: null, duration_ms: 1, next: { state: 'delivered' } })).toBe(false);
      await outbox.release(stale!); // a stale release does nothing either
      expect(await outbox.claimDue({ limit: 1, leaseMs: LONG })).toEqual([]);
      expect(await outbox.complete(current!, failed(new Date(Date.now() + LONG)))).toBe(true);
      expect((await outbox.listForJob(current!.delivery.job_id))[0]).toMatchObject({ attempts: 1, state: 'pending' });
    });

    it('gives a released delivery back at once, its attempts untouched', async () => {
      const delivery = makeDelivery();
      await outbox.enqueue(delivery);
      const [claim] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      await outbox.release(claim!);
      const [again] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      expect(again?.delivery).toMatchObject({ id: delivery.id, attempts: 0 });
    });

    it('redelivers exhausted deliveries with the schedule from the start, leaving delivered ones', async () => {
      const [done, given] = [makeDelivery(), makeDelivery()];
      await outbox.enqueue(done!);
      await outbox.enqueue(given!);
      const claims = await outbox.claimDue({ limit: 2, leaseMs: LONG });
      for (const claim of claims) {
        const next = claim.delivery.id === done!.id ? ({ state: 'delivered' } as const) : ({ state: 'exhausted' } as const);
        await outbox.complete(claim, { status: next.state === 'delivered' ? 200 : 503, error: null, duration_ms: 1, next });
      }
      expect(await outbox.redeliver(done!.job_id)).toBe(1);
      expect(await outbox.redeliver(done!.job_id)).toBe(0);
      const byId = new Map((await outbox.listForJob(done!.job_id)).map((d) => [d.id, d]));
      expect(byId.get(done!.id)).toMatchObject({ state: 'delivered', attempts: 1 });
      expect(byId.get(given!.id)).toMatchObject({ state: 'pending', attempts: 0, last_status: 503 });
      expect(Date.parse(byId.get(given!.id)?.next_attempt_at ?? '')).toBeLessThanOrEqual(Date.now());
      expect((await outbox.claimDue({ limit: 2, leaseMs: LONG })).map((claim) => claim.delivery.id)).toEqual([given!.id]);
    });

    it("stops a job's deliveries to a URL that answered 410, held ones too, and later ones, until a redelivery", async () => {
      const gone = 'https://gone.example.com/hook';
      const [held, waiting, elsewhere, otherJob] = [
        makeDelivery({ url: gone }),
        makeDelivery({ url: gone }),
        makeDelivery(),
        makeDelivery({ url: gone, job_id: 'batch_20240315_123456_other0' }),
      ];
      await outbox.enqueue(held!);
      const [claim] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      for (const delivery of [waiting!, elsewhere!, otherJob!]) await outbox.enqueue(delivery);
      expect(await outbox.markGone(held!.job_id, gone)).toBe(2);
      expect(await outbox.complete(claim!, failed(new Date()))).toBe(false);
      const later = makeDelivery({ url: gone, type: 'job.finished' });
      expect(await outbox.enqueue(later)).toBe(true);
      const byId = new Map((await outbox.listForJob(held!.job_id)).map((d) => [d.id, d]));
      for (const id of [held!.id, waiting!.id, later.id]) expect(byId.get(id)).toMatchObject({ state: 'exhausted', last_error: GONE_REASON, next_attempt_at: null });
      expect(byId.get(elsewhere!.id)).toMatchObject({ state: 'pending' });
      expect((await outbox.listForJob(otherJob!.job_id))[0]).toMatchObject({ state: 'pending' });
      expect(await outbox.pendingCount(held!.job_id)).toBe(1);

      expect(await outbox.redeliver(held!.job_id)).toBe(3);
      const after = makeDelivery({ url: gone });
      await outbox.enqueue(after);
      expect(await outbox.pendingCount(held!.job_id)).toBe(5);
    });

    it("deletes a job's deliveries and answers how many, leaving nothing to claim", async () => {
      const [a, b, other] = [makeDelivery(), makeDelivery(), makeDelivery({ job_id: 'batch_20240315_123456_other0' })];
      for (const delivery of [a!, b!, other!]) await outbox.enqueue(delivery);
      await outbox.markGone(a!.job_id, 'https://gone.example.com/');
      expect(await outbox.deleteForJob(a!.job_id)).toBe(2);
      expect(await outbox.deleteForJob(a!.job_id)).toBe(0);
      expect(await outbox.listForJob(a!.job_id)).toEqual([]);
      expect(await outbox.pendingCount(a!.job_id)).toBe(0);
      expect((await outbox.claimDue({ limit: 5, leaseMs: LONG })).map((claim) => claim.delivery.id)).toEqual([other!.id]);
      // The job's 410s went with it.
      expect(await outbox.enqueue(makeDelivery({ url: 'https://gone.example.com/' }))).toBe(true);
      expect(await outbox.pendingCount(a!.job_id)).toBe(1);
    });

    it('keeps deliveries and their records across a reopen', async () => {
      const [pending, delivered] = [makeDelivery(), makeDelivery()];
      await outbox.enqueue(delivered!);
      const [claim] = await outbox.claimDue({ limit: 1, leaseMs: LONG });
      await outbox.complete(claim!, { status: 200, error: null, duration_ms: 5, next: { state: 'delivered' } });
      await outbox.enqueue(pending!);
      const before = await outbox.listForJob(pending!.job_id);
      outbox = await harness.reopen();
      expect(await outbox.listForJob(pending!.job_id)).toEqual(before);
      expect((await outbox.claimDue({ limit: 5, leaseMs: LONG })).map((c) => c.delivery.id)).toEqual([pending!.id]);
    });

    it('hands each due delivery to exactly one of two outboxes claiming at once', async () => {
      const second = await harness.another();
      const ids = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const delivery = makeDelivery();
        ids.add(delivery.id);
        await outbox.enqueue(delivery);
      }
      const claimed: string[] = [];
      await Promise.all(
        [outbox, second].flatMap((box) =>
          Array.from({ length: 6 }, async () => {
            for (const claim of await box.claimDue({ limit: 5, leaseMs: LONG })) claimed.push(claim.delivery.id);
          }),
        ),
      );
      expect(claimed).toHaveLength(ids.size);
      expect(new Set(claimed)).toEqual(ids);
    });
  });
}
