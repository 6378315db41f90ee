/** `console clusters …` */
import type { CommandGroup } from '../registry';
import { registerCatIndices } from './cat-indices';
import { registerClearIndices } from './clear-indices';
import { registerCompare } from './compare';
import { registerConnectionCheck } from './connection-check';
import { registerCurl } from './curl';

export const clustersGroup: CommandGroup = {
  name: 'clusters',
  description: 'inspect and call the source and target clusters',
  register(group, io) {
    registerCatIndices(group, io);
    registerConnectionCheck(group, io);
    registerCurl(group, io);
    registerCompare(group, io);
    registerClearIndices(group, io);
  },
};
