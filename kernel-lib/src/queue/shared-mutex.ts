/**
 * A mutex and a condition variable in shared memory, built on one Int32 word each with
 * Atomics: the two primitives BoundedQueue (and exercise ex04) is made of.
 */
import { waitAsync, waitBlocking } from "./atomics-wait";

/** Mutex word values (Drepper, "Futexes Are Tricky", mutex #3). */
const UNLOCKED = 0;
/** Held, and nobody is (known to be) waiting: unlock() need not wake anyone. */
const LOCKED = 1;
/** Held, and a thread may be sleeping on the word: unlock() must wake one. */
const CONTENDED = 2;

/**
 * A mutex on `i32[index]`, usable from every thread that attaches the buffer. Locking never
 * spins for long: a thread that finds it held sleeps on the word (`Atomics.wait` in workers,
 * `Atomics.waitAsync` in `lockAsync`) until `unlock()` wakes it.
 */
export class SharedMutex {
  constructor(
    private readonly i32: Int32Array,
    private readonly index: number,
  ) {}

  /** Takes the mutex if it is free; never waits. */
  tryLock(): boolean {
    return Atomics.compareExchange(this.i32, this.index, UNLOCKED, LOCKED) === UNLOCKED;
  }

  /** Takes the mutex, blocking the thread while another holds it. Workers only. */
  lock(): void {
    let state = Atomics.compareExchange(this.i32, this.index, UNLOCKED, LOCKED);
    if (state === UNLOCKED) return;
    // Mark it CONTENDED before sleeping, so the holder's unlock() knows to wake us. The
    // exchange also tells whether it was released meanwhile (it returns UNLOCKED then, and
    // we own it, marked CONTENDED: at worst one needless wake-up later).
    if (state !== CONTENDED) state = Atomics.exchange(this.i32, this.index, CONTENDED);
    while (state !== UNLOCKED) {
      waitBlocking(this.i32, this.index, CONTENDED);
      state = Atomics.exchange(this.i32, this.index, CONTENDED);
    }
  }

  /** Takes the mutex; while another thread holds it, waits without blocking this thread. */
  async lockAsync(): Promise<void> {
    let state = Atomics.compareExchange(this.i32, this.index, UNLOCKED, LOCKED);
    if (state === UNLOCKED) return;
    if (state !== CONTENDED) state = Atomics.exchange(this.i32, this.index, CONTENDED);
    while (state !== UNLOCKED) {
      await waitAsync(this.i32, this.index, CONTENDED);
      state = Atomics.exchange(this.i32, this.index, CONTENDED);
    }
  }

  /** Releases the mutex, waking one sleeping thread if any may be waiting. */
  unlock(): void {
    // LOCKED -> UNLOCKED needs no wake-up; CONTENDED means someone may sleep on the word.
    if (Atomics.sub(this.i32, this.index, 1) !== LOCKED) {
      Atomics.store(this.i32, this.index, UNLOCKED);
      Atomics.notify(this.i32, this.index, 1);
    }
  }
}

/**
 * A condition variable on `i32[index]`: the word is a generation counter that every state
 * change relevant to the waiters bumps. A waiter reads the generation while holding the
 * mutex, releases the mutex, and sleeps only while the word still holds that generation, so
 * a change made between its release and its sleep is never missed (the classic lost wake-up).
 * Wake-ups may be spurious: callers re-check their predicate in a loop.
 */
export class SharedCondition {
  constructor(
    private readonly i32: Int32Array,
    private readonly index: number,
    private readonly mutex: SharedMutex,
  ) {}

  /**
   * Wakes every waiter. Call while holding the mutex, after changing the state: all waiters
   * (not one) because they wait for different things (a sender with a timeout that just
   * expired, a receiver of another thread) and each re-checks for itself.
   */
  broadcast(): void {
    Atomics.add(this.i32, this.index, 1);
    Atomics.notify(this.i32, this.index);
  }

  /**
   * Releases the mutex, blocks until a broadcast or `timeoutMs`, and takes the mutex again.
   * Call while holding the mutex. Workers only.
   */
  wait(timeoutMs: number): void {
    const generation = Atomics.load(this.i32, this.index);
    this.mutex.unlock();
    waitBlocking(this.i32, this.index, generation, timeoutMs);
    this.mutex.lock();
  }

  /** The current generation; read it while holding the mutex, before releasing it to wait. */
  generation(): number {
    return Atomics.load(this.i32, this.index);
  }

  /**
   * Waits without blocking the thread until the condition moves past `generation` (read with
   * {@link generation} while holding the mutex, which the caller then released), or
   * `timeoutMs` passes, or `interrupt` settles (a local event, e.g. the caller gave up).
   * Resolves at once if a broadcast came in between. Does not take the mutex again: the
   * caller does, so that it is never held across an await.
   */
  async waitAsync(generation: number, timeoutMs: number, interrupt?: Promise<void>): Promise<void> {
    const woken = waitAsync(this.i32, this.index, generation, timeoutMs);
    await (interrupt ? Promise.race([woken, interrupt]) : woken);
  }
}
