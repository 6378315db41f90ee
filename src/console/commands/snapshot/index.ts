/** `console snapshot …` */
import type { CommandGroup } from '../registry';
import { registerSnapshotCreate } from './create';
import { registerSnapshotDelete } from './delete';
import { registerSnapshotDump } from './dump';
import { registerSnapshotList } from './list';
import { registerSnapshotStatus } from './status';

export const snapshotGroup: CommandGroup = {
  name: 'snapshot',
  description: 'create, inspect and read snapshots',
  register(group, io) {
    registerSnapshotCreate(group, io);
    registerSnapshotStatus(group, io);
    registerSnapshotDelete(group, io);
    registerSnapshotList(group, io);
    registerSnapshotDump(group, io);
  },
};
