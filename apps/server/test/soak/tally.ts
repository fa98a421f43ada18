/** Everything the soak clients observed, counted as it happens (one instance shared by every client). */
export interface Failure {
  what: string;
  detail: string;
}

export class SoakTally {
  /** Answers by HTTP status, over every request (event streams included). */
  readonly statuses = new Map<number, number>();
  /** Each 5xx answer: method, path and the start of its body. */
  readonly serverErrors: Failure[] = [];
  /** Jobs that did not end as they must (a client error, a missing event, a failed file…). */
  readonly jobFailures: Failure[] = [];
  jobsStarted = 0;
  jobsCompleted = 0;
  filesCompleted = 0;
  modelsDownloaded = 0;
  uploadsAborted = 0;
  /** Uploaded and not yet followed to the end: the load the server is carrying right now. */
  inFlightJobs = 0;
  private answersThisTick = 0;

  answer(method: string, path: string, status: number, body = ''): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.answersThisTick += 1;
    if (status >= 500) this.serverErrors.push({ what: `${method} ${path} → ${status}`, detail: body.slice(0, 300) });
  }

  jobFailed(jobId: string, detail: string): void {
    this.jobFailures.push({ what: jobId, detail });
  }

  /** Answers received since the last call: the sampler turns this into requests per second. */
  takeAnswers(): number {
    const answers = this.answersThisTick;
    this.answersThisTick = 0;
    return answers;
  }

  get requests(): number {
    let total = 0;
    for (const count of this.statuses.values()) total += count;
    return total;
  }

  count(predicate: (status: number) => boolean): number {
    let total = 0;
    for (const [status, count] of this.statuses) if (predicate(status)) total += count;
    return total;
  }
}
