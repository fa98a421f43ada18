import type { JobListItem, JobPage } from '@image2model/client';

/** The batches the list shows, newest first, and the cursor of the page after them (null: none). */
export interface RecentList {
  jobs: readonly JobListItem[];
  cursor: string | null;
}

/**
 * A fresh first page over what was shown: its batches replace theirs; the older ones shown below
 * it (loaded with "Load more") stay, and so does their cursor, so a refresh never shortens the list.
 */
export function takeNewest(shown: RecentList, page: JobPage): RecentList {
  const last = page.jobs.at(-1);
  const overlap = last && page.next_cursor !== null ? shown.jobs.findIndex((job) => job.job_id === last.job_id) : -1;
  if (overlap < 0) return { jobs: page.jobs, cursor: page.next_cursor };
  return { jobs: [...page.jobs, ...shown.jobs.slice(overlap + 1)], cursor: shown.cursor };
}

/** The page after the shown batches, appended (a batch already shown is not shown twice). */
export function takeNext(shown: RecentList, page: JobPage): RecentList {
  const known = new Set(shown.jobs.map((job) => job.job_id));
  return { jobs: [...shown.jobs, ...page.jobs.filter((job) => !known.has(job.job_id))], cursor: page.next_cursor };
}
