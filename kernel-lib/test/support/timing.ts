/** Resolves to "pending" if `p` has not settled within `ms`, else to "settled". */
export async function settlesWithin(
  p: Promise<unknown>,
  ms: number,
): Promise<"settled" | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"pending">((r) => {
    timer = setTimeout(() => r("pending"), ms);
  });
  const settled = p.then(
    () => "settled" as const,
    () => "settled" as const,
  );
  try {
    return await Promise.race([settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
