/**
 * `console kafka describe-consumer-group [GROUP]`: a consumer group (default: the replayer's
 * `logging-group-default`) with its state and members, and per topic partition the committed offset, the
 * log-end offset and the lag between them, laid out as `kafka-consumer-groups.sh --describe` does. A
 * partition is listed when the group committed an offset for it or a member has it assigned.
 */
import { AssignerProtocol, type Admin, type MemberDescription } from 'kafkajs';
import type { Command } from 'commander';
import { ConsoleError } from '../../errors';
import { table } from '../../format';
import { emit, type CommandDefinition, type ConsoleIo } from '../../io';
import { retryWhileCoordinatorMoves, withKafkaAdmin } from '../../kafka-admin';

export interface ConsumerGroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignment: { topic: string; partitions: number[] }[];
}

export interface ConsumerGroupPartition {
  topic: string;
  partition: number;
  /** The next offset the group will read; null when it never committed one for this partition. */
  committed: number | null;
  /** The log-end offset; null when the topic no longer exists. */
  end: number | null;
  /** end - committed; null when either is unknown. */
  lag: number | null;
  /** The member the partition is assigned to; null when no member has it. */
  memberId: string | null;
}

export interface DescribeConsumerGroupResult {
  group: string;
  /** As the broker reports it: Stable, Empty, PreparingRebalance, CompletingRebalance. */
  state: string;
  protocolType: string;
  members: ConsumerGroupMember[];
  partitions: ConsumerGroupPartition[];
  /** Sum of the known lags. */
  lag: number;
}

const dash = (value: string | number | null | undefined): string | number => value ?? '-';

function headline(r: DescribeConsumerGroupResult): string {
  const members = r.members.length === 0 ? 'no active members' : `${r.members.length} member${r.members.length === 1 ? '' : 's'}`;
  return `Consumer group ${r.group}: ${r.state}, ${members}, total lag ${r.lag}\n`;
}

export const describeConsumerGroup: CommandDefinition<DescribeConsumerGroupResult> = {
  name: 'kafka describe-consumer-group',
  text: (r) => {
    if (r.partitions.length === 0) return headline(r) + 'No partitions: the group has committed no offsets and has none assigned.\n';
    const byId = new Map(r.members.map((m) => [m.memberId, m]));
    return (
      headline(r) +
      table(
        ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'],
        r.partitions.map((p) => {
          const member = p.memberId === null ? undefined : byId.get(p.memberId);
          return [r.group, p.topic, p.partition, dash(p.committed), dash(p.end), dash(p.lag), dash(p.memberId), dash(member?.host), dash(member?.clientId)];
        }),
      )
    );
  },
};

/** The partitions a member of a `consumer` group holds; other protocols (Connect) encode something else. */
function assignment(protocolType: string, member: MemberDescription): ConsumerGroupMember['assignment'] {
  if (protocolType !== 'consumer' || member.memberAssignment.length === 0) return [];
  const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
  return Object.entries(decoded?.assignment ?? {})
    .map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }))
    .sort((a, b) => a.topic.localeCompare(b.topic));
}

async function describe(admin: Admin, group: string): Promise<DescribeConsumerGroupResult> {
  const [description] = (await retryWhileCoordinatorMoves(() => admin.describeGroups([group]))).groups;
  // The coordinator answers "Dead" for a group id it has never seen (or has forgotten).
  if (!description || description.state === 'Dead') throw new ConsoleError('MA_KAFKA_GROUP_NOT_FOUND', `consumer group "${group}" does not exist (see console kafka list-consumer-groups)`);
  const members = description.members
    .map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: assignment(description.protocolType, m) }))
    .sort((a, b) => a.memberId.localeCompare(b.memberId));

  const rows = new Map<string, ConsumerGroupPartition>();
  const row = (topic: string, partition: number): ConsumerGroupPartition => {
    const key = `${topic}\u0000${partition}`;
    let entry = rows.get(key);
    if (!entry) rows.set(key, (entry = { topic, partition, committed: null, end: null, lag: null, memberId: null }));
    return entry;
  };
  for (const { topic, partitions } of await retryWhileCoordinatorMoves(() => admin.fetchOffsets({ groupId: group }))) {
    for (const p of partitions) if (Number(p.offset) >= 0) row(topic, p.partition).committed = Number(p.offset);
  }
  for (const m of members) for (const a of m.assignment) for (const partition of a.partitions) row(a.topic, partition).memberId = m.memberId;

  const existing = new Set(await admin.listTopics());
  for (const topic of new Set([...rows.values()].map((r) => r.topic))) {
    if (!existing.has(topic)) continue;
    for (const o of await admin.fetchTopicOffsets(topic)) {
      const entry = rows.get(`${topic}\u0000${o.partition}`);
      if (entry) entry.end = Number(o.high);
    }
  }
  const partitions = [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  for (const p of partitions) p.lag = p.committed !== null && p.end !== null ? Math.max(0, p.end - p.committed) : null;
  return { group, state: description.state, protocolType: description.protocolType, members, partitions, lag: partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0) };
}

export async function runDescribeConsumerGroup(group: string, io: ConsoleIo): Promise<DescribeConsumerGroupResult> {
  const result = await withKafkaAdmin(io, (admin) => describe(admin, group));
  emit(io, describeConsumerGroup, result);
  return result;
}

export function registerDescribeConsumerGroup(group: Command, io: () => ConsoleIo): void {
  group
    .command('describe-consumer-group')
    .description("a consumer group's state, members, and per partition its committed offset, log-end offset and lag (default: the replayer's group)")
    .argument('[group]', 'consumer group id', 'logging-group-default')
    .action(async (groupId: string) => {
      await runDescribeConsumerGroup(groupId, io());
    });
}
