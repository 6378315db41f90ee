/** Stops the servers the global setup started; servers that were already running stay up. */
import { down } from './testbed';
import type { ServerName } from './servers';

export default async function globalTeardown(): Promise<void> {
  const started = (process.env.MA_TESTBED_STARTED ?? '').split(',').filter(Boolean) as ServerName[];
  if (started.length > 0) await down(started);
}
