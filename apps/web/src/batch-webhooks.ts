import { isImage2ModelError, type Image2ModelClient, type WebhookDelivery } from '@image2model/client';
import { byId } from './dom.js';
import { describeError } from './messages.js';

const NONE = '—';
/** While a delivery is pending its row changes on the server: read the log again this often. */
const PENDING_REFRESH_MS = 10_000;

function lastStatusOf(delivery: WebhookDelivery): string {
  if (delivery.last_status !== null) return String(delivery.last_status);
  return delivery.last_error ?? NONE;
}

function row(delivery: WebhookDelivery): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.dataset.deliveryId = delivery.id;
  tr.dataset.state = delivery.state;
  const cells = [
    delivery.file_id ? `${delivery.type} (${delivery.file_id})` : delivery.type,
    delivery.state,
    String(delivery.attempts),
    lastStatusOf(delivery),
    delivery.next_attempt_at ? new Date(delivery.next_attempt_at).toLocaleString() : NONE,
  ];
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
}

/**
 * The batch's webhook delivery log: one row per event sent to its webhook URL, and "Redeliver"
 * while some are exhausted. Only the key that uploaded the batch may read it: for anyone else
 * (or a batch without deliveries) the log stays hidden.
 */
export function createBatchWebhooks(opts: { client: () => Image2ModelClient; hasKey: () => boolean; jobId: () => string | null }) {
  const box = byId('webhooks');
  const body = byId<HTMLTableSectionElement>('webhooks-rows');
  const redeliver = byId<HTMLButtonElement>('webhooks-redeliver');
  const refresh = byId<HTMLButtonElement>('webhooks-refresh');
  const message = byId('webhooks-message');
  let request = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function later(ms: number): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void load();
    }, ms);
  }

  function show(deliveries: readonly WebhookDelivery[]): void {
    body.replaceChildren(...deliveries.map(row));
    const exhausted = deliveries.filter((d) => d.state === 'exhausted').length;
    redeliver.hidden = exhausted === 0;
    redeliver.textContent = `Redeliver (${exhausted})`;
    box.hidden = deliveries.length === 0;
    if (deliveries.some((d) => d.state === 'pending')) later(PENDING_REFRESH_MS);
  }

  /** Reads the log again; a newer read wins over an older one still on its way. */
  async function load(): Promise<void> {
    const jobId = opts.jobId();
    const mine = ++request;
    if (jobId === null) return;
    // A batch link without a key reads the batch, never its log: no request that must fail.
    if (!opts.hasKey()) return show([]);
    try {
      const { deliveries } = await opts.client().jobs.webhooks.query({ job_id: jobId });
      if (mine === request && opts.jobId() === jobId) show(deliveries);
    } catch (error) {
      if (mine !== request) return;
      // Not the uploading key: the log is its owner's only, so there is nothing to show.
      if (isImage2ModelError(error) && (error.code === 'NOT_FOUND' || error.code === 'AUTHENTICATION_REQUIRED')) show([]);
      else message.textContent = `The webhook deliveries could not be read: ${describeError(error)}`;
    }
  }

  redeliver.addEventListener('click', async () => {
    const jobId = opts.jobId();
    if (jobId === null) return;
    redeliver.disabled = true;
    try {
      const { redelivered } = await opts.client().jobs.redeliverWebhooks.mutate({ job_id: jobId });
      message.textContent = `Queued ${redelivered} deliver${redelivered === 1 ? 'y' : 'ies'} again.`;
      await load();
      if (redeliver.hidden) refresh.focus();
    } catch (error) {
      message.textContent = describeError(error);
    } finally {
      redeliver.disabled = false;
    }
  });
  refresh.addEventListener('click', () => {
    message.textContent = '';
    void load();
  });

  return {
    load,
    /**
     * The batch finished: its last events are being queued for sending right now, so read the log
     * now and once more shortly after.
     */
    finished(): void {
      void load();
      later(3000);
    },
    reset(): void {
      request += 1;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      message.textContent = '';
      show([]);
    },
  };
}
