/** `console kafka …` */
import type { CommandGroup } from '../registry';
import { registerDescribeTopicRecords } from './describe-topic-records';
import { registerListTopics } from './list-topics';

export const kafkaGroup: CommandGroup = {
  name: 'kafka',
  description: 'inspect the Kafka topic of captured traffic',
  register(group, io) {
    registerDescribeTopicRecords(group, io);
    registerListTopics(group, io);
  },
};
