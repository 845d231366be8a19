import { ChannelError, type WaitOptions } from "../channel";

/**
 * Wraps a pending operation with the timeout/abort rules of {@link WaitOptions}. `start` gets
 * `settle` callbacks and returns a canceller that must undo the registration (so a timed-out
 * receive does not later swallow a message).
 */
export function waitWith<T>(
  what: string,
  options: WaitOptions | undefined,
  start: (resolve: (v: T) => void, reject: (e: unknown) => void) => () => void,
): Promise<T> {
  const timeoutMs = options?.timeoutMs;
  const signal = options?.signal;
  if (timeoutMs !== undefined && !(timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
    return Promise.reject(
      new ChannelError("InvalidArgument", `${what}: timeoutMs must be >= 0, got ${timeoutMs}`),
    );
  }
  if (signal?.aborted) {
    return Promise.reject(new ChannelError("Aborted", `${what} was aborted`));
  }
  if (timeoutMs === undefined && signal === undefined) {
    // The common case on every receive loop: nothing to cancel, so no timer and no listener.
    return new Promise<T>((resolve, reject) => {
      start(resolve, reject);
    });
  }
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const cancel = start(
      (v) => {
        if (done) return;
        finish();
        resolve(v);
      },
      (e) => {
        if (done) return;
        finish();
        reject(e);
      },
    );
    const giveUp = (err: ChannelError): void => {
      if (done) return;
      finish();
      cancel();
      reject(err);
    };
    const onAbort = (): void => giveUp(new ChannelError("Aborted", `${what} was aborted`));
    if (done) return;
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => giveUp(new ChannelError("Timeout", `${what} timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
