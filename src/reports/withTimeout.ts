/** The job ran past its time limit; it is logged as failed (what it was doing may still finish). */
export class JobTimeoutError extends Error {
  constructor(readonly job: string, readonly ms: number) {
    super(`${job} did not finish within ${ms} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** `work` or a JobTimeoutError after `ms`, whichever first; the timer is cleared either way. */
export async function withTimeout<T>(work: Promise<T>, ms: number, job: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobTimeoutError(job, ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
