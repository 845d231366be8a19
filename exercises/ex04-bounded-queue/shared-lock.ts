/**
 * Exercise ex04, step 1: a mutex and a condition variable, each on one Int32 word of a
 * SharedArrayBuffer, built from Atomics. See README.md. Worker threads only: both block the
 * calling thread with Atomics.wait. The constructors are given; write the four methods.
 */

/**
 * A mutex on `i32[index]` (0 when free), shared by every thread that has the buffer. A thread
 * that finds it held sleeps in `Atomics.wait` until `unlock()` wakes it: no spinning. Not
 * reentrant: a thread that locks twice without unlocking waits for itself forever.
 *
 * @example
 * const mutex = new SharedMutex(i32, LOCK);
 * mutex.lock();
 * try { i32[COUNT]! += 1; } finally { mutex.unlock(); }
 */
export class SharedMutex {
  constructor(
    readonly i32: Int32Array,
    readonly index: number,
  ) {}

  /** Takes the mutex, blocking the thread while another thread holds it. */
  lock(): void {
    // TODO: take the word from 0 (free) to 1 (held) with Atomics.compareExchange; while it
    //       does not succeed, sleep with Atomics.wait(this.i32, this.index, <the held value>),
    //       then try again.
    throw new Error(`TODO: ex04 SharedMutex.lock (word ${this.index})`);
  }

  /** Releases the mutex (call only while holding it), waking one sleeping thread if any. */
  unlock(): void {
    // TODO: set the word back to 0 (Atomics.store), then Atomics.notify one sleeper.
    throw new Error(`TODO: ex04 SharedMutex.unlock (word ${this.index})`);
  }
}

/**
 * A condition variable on `i32[index]`, used with `mutex`. The word is a generation counter:
 * `broadcast()` adds 1 and wakes every sleeper. A waiter reads the generation while it holds
 * the mutex, releases the mutex, and sleeps only while the word still holds that generation,
 * so a broadcast between its release and its sleep is never missed (the lost wake-up).
 * Wake-ups can be spurious or stale: callers re-check what they wait for in a loop.
 *
 * @example
 * notFull.mutex.lock();
 * while (full()) notFull.wait(remainingMs);
 */
export class SharedCondition {
  constructor(
    readonly i32: Int32Array,
    readonly index: number,
    readonly mutex: SharedMutex,
  ) {}

  /**
   * Call while holding the mutex: releases it, sleeps until a `broadcast()` or until
   * `timeoutMs` passes (default: no limit), then takes the mutex again before returning.
   */
  wait(timeoutMs = Infinity): void {
    // TODO: read the generation (Atomics.load), unlock the mutex, Atomics.wait on the word
    //       with that generation and timeoutMs, lock the mutex again.
    throw new Error(`TODO: ex04 SharedCondition.wait (word ${this.index}, ${timeoutMs} ms)`);
  }

  /**
   * Wakes every thread waiting on this condition. Call while holding the mutex, after changing
   * the state they wait for. Every waiter (not just one): they may wait for different things,
   * and each re-checks for itself.
   */
  broadcast(): void {
    // TODO: Atomics.add 1 to the word, then Atomics.notify every sleeper (no count).
    throw new Error(`TODO: ex04 SharedCondition.broadcast (word ${this.index})`);
  }
}
