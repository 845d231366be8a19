// Worker program: echoes every message to its parent until the parent closes or stops it.
import { parentChannel } from "../transports/worker";

async function main(): Promise<void> {
  const channel = parentChannel<unknown>();
  for await (const message of channel) await channel.send(message);
  await channel.close();
}

void main();
