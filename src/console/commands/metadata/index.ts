/** `console metadata …` */
import type { CommandGroup } from '../registry';
import { registerMetadataEvaluate } from './evaluate';
import { registerMetadataMigrate } from './migrate';

export const metadataGroup: CommandGroup = {
  name: 'metadata',
  description: 'create the snapshot\'s indices on the target',
  register(group, io) {
    registerMetadataMigrate(group, io);
    registerMetadataEvaluate(group, io);
  },
};
