/** `console kafka …`: the topics of captured traffic and the consumer groups that read them. */
import type { CommandGroup } from '../registry';
import { registerCreateTopic } from './create-topic';
import { registerDeleteTopic } from './delete-topic';
import { registerDescribeConsumerGroup } from './describe-consumer-group';
import { registerDescribeTopic } from './describe-topic';
import { registerDescribeTopicRecords } from './describe-topic-records';
import { registerListConsumerGroups } from './list-consumer-groups';
import { registerListTopics } from './list-topics';

export const kafkaGroup: CommandGroup = {
  name: 'kafka',
  description: 'manage the Kafka topics of captured traffic and inspect the consumer groups that read them',
  register(group, io) {
    registerDescribeTopicRecords(group, io);
    registerListTopics(group, io);
    registerCreateTopic(group, io);
    registerDescribeTopic(group, io);
    registerDeleteTopic(group, io);
    registerListConsumerGroups(group, io);
    registerDescribeConsumerGroup(group, io);
  },
};
