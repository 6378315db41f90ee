/** `console snapshot …` */
import type { CommandGroup } from '../registry';
import { registerSnapshotDump } from './dump';
import { registerSnapshotList } from './list';

export const snapshotGroup: CommandGroup = {
  name: 'snapshot',
  description: 'create, inspect and read snapshots',
  register(group, io) {
    registerSnapshotList(group, io);
    registerSnapshotDump(group, io);
  },
};
