/** `console backfill …` */
import type { CommandGroup } from '../registry';
import { registerBackfillScale } from './scale';
import { registerBackfillStatus } from './status';
import { registerBackfillStop } from './stop';

export const backfillGroup: CommandGroup = {
  name: 'backfill',
  description: 'run the backfill workers and follow their progress',
  register(group, io) {
    registerBackfillScale(group, io);
    registerBackfillStatus(group, io);
    registerBackfillStop(group, io);
  },
};
