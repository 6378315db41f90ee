/** `console cutover …`: moving clients from the source cluster to the migration path. */
import type { CommandGroup } from '../registry';
import { registerCutoverNlb } from './nlb';

export const cutoverGroup: CommandGroup = {
  name: 'cutover',
  description: 'move client traffic behind an existing NLB to the assistant, and back',
  register(group, io) {
    registerCutoverNlb(group, io);
  },
};
