/**
 * Reference solution of ex04, the synchronisation: a mutex and a condition variable, each on
 * one Int32 word of a SharedArrayBuffer, built from Atomics. Worker threads only: both block
 * the calling thread with Atomics.wait.
 */

/** Mutex word values (Drepper, "Futexes Are Tricky", mutex #3). */
const UNLOCKED = 0;
/** Held, and nobody is (known to be) sleeping on the word: unlock() need not wake anyone. */
const LOCKED = 1;
/** Held, and a thread may be sleeping on the word: unlock() must wake one. */
const CONTENDED = 2;

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
    let state = Atomics.compareExchange(this.i32, this.index, UNLOCKED, LOCKED);
    if (state === UNLOCKED) return;
    // Mark it CONTENDED before sleeping, so the holder's unlock() knows to wake someone. The
    // exchange also says whether it was released meanwhile: it returns UNLOCKED, and we then
    // own it, marked CONTENDED (at worst one needless wake-up later).
    if (state !== CONTENDED) state = Atomics.exchange(this.i32, this.index, CONTENDED);
    while (state !== UNLOCKED) {
      // Sleeps only while the word still says CONTENDED: an unlock() in between is not missed.
      Atomics.wait(this.i32, this.index, CONTENDED);
      state = Atomics.exchange(this.i32, this.index, CONTENDED);
    }
  }

  /** Releases the mutex (call only while holding it), waking one sleeping thread if any. */
  unlock(): void {
    // LOCKED -> UNLOCKED needs no wake-up; CONTENDED means someone may sleep on the word.
    if (Atomics.sub(this.i32, this.index, 1) !== LOCKED) {
      Atomics.store(this.i32, this.index, UNLOCKED);
      Atomics.notify(this.i32, this.index, 1);
    }
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
    const generation = Atomics.load(this.i32, this.index);
    this.mutex.unlock();
    try {
      Atomics.wait(this.i32, this.index, generation, Math.max(0, timeoutMs));
    } finally {
      this.mutex.lock();
    }
  }

  /**
   * Wakes every thread waiting on this condition. Call while holding the mutex, after changing
   * the state they wait for. Every waiter (not just one): they may wait for different things,
   * and each re-checks for itself.
   */
  broadcast(): void {
    Atomics.add(this.i32, this.index, 1);
    Atomics.notify(this.i32, this.index);
  }
}
