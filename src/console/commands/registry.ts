/**
 * The registry of command groups. To add a group: create `commands/<group>/index.ts` exporting a
 * `CommandGroup`, then add it to COMMAND_GROUPS below (one line). See src/console/README.md.
 */
import type { Command } from 'commander';
import type { ConsoleIo } from '../io';
import { backfillGroup } from './backfill';
import { clustersGroup } from './clusters';
import { cutoverGroup } from './cutover';
import { kafkaGroup } from './kafka';
import { metadataGroup } from './metadata';
import { snapshotGroup } from './snapshot';

export interface CommandGroup {
  name: string;
  description: string;
  /** Adds the group's commands; `io()` gives streams and global flags at run time. */
  register(group: Command, io: () => ConsoleIo): void;
}

export const COMMAND_GROUPS: CommandGroup[] = [clustersGroup, snapshotGroup, metadataGroup, kafkaGroup, backfillGroup, cutoverGroup];
