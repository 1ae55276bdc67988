// How long to wait before the next reconnection attempt: doubling from `base`
// up to `cap` (1 s, 2 s, 4 s … 30 s, 30 s …), back to `base` after a
// connection that opened.

export class Backoff {
  private attempt = 0

  constructor(
    readonly base = 1_000,
    readonly cap = 30_000,
  ) {}

  /** The delay of the next attempt, in milliseconds; each call doubles the following one. */
  next(): number {
    const delay = Math.min(this.cap, this.base * 2 ** Math.min(this.attempt, 30))
    this.attempt += 1
    return delay
  }

  /** Starts again from `base` (after a successful open). */
  reset(): void {
    this.attempt = 0
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.attempt
  }
}
