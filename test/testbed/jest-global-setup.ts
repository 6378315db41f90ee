/**
 * Starts (or reuses) the test bed once per jest run and publishes its endpoints to every test file.
 * Only the servers this run started are stopped by the global teardown; a killed run is cleaned up by
 * the test bed's watchdog.
 */
import { TESTBED_ENV } from './endpoints';
import { up } from './testbed';

export default async function globalSetup(): Promise<void> {
  const { endpoints, started } = await up({ ownerPid: process.pid });
  process.env[TESTBED_ENV] = JSON.stringify(endpoints);
  process.env.MA_TESTBED_STARTED = started.join(',');
}
