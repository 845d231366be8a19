/**
 * The messages of the prime sieve, in both directions of every pipe in the chain.
 * End of input is not a message: the sender closes its end of the pipe (EOF), as in xv6.
 */

/** Down the chain (parent to stage): one candidate number. */
export interface NumberMessage {
  type: "number";
  value: number;
}

/**
 * Up the chain (stage to parent): a prime, found by the stage that keeps it, with that stage's
 * process id and its parent's, so the main process can see the chain of processes.
 */
export interface PrimeMessage {
  type: "prime";
  prime: number;
  pid: number;
  ppid: number;
}

/** Everything that travels on a sieve pipe. */
export type SieveMessage = NumberMessage | PrimeMessage;
