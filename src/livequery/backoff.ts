// Reconnect delay: full-jitter exponential back-off, as the Parse SDK computes it.

export const MAX_BACKOFF_SECONDS = 30;

/** Upper bound in ms of the delay before reconnect attempt `attempt` (1-based): 1, 3, 7, 15, then 30 s. */
export function backoffCeilingMs(attempt: number): number {
  const exponent = Math.min(Math.max(attempt, 1), 16);
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** exponent - 1) * 1000;
}

/** A uniformly random delay in [0, ceiling) ms for attempt `attempt`. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(attempt));
}
