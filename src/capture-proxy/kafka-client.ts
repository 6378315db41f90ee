/**
 * kafkajs for the capture proxy: loaded only after its encoding is tuned (`./kafka-encoding`), because one of
 * the changes replaces a module that kafkajs's connections take when kafkajs loads.
 */
import { stopKafkajsIdleLoop } from '../common/kafkajs-idle-loop';
import { tuneKafkaEncoding, type KafkaEncodingTuning } from './kafka-encoding';

/** Which changes are in effect (all of them, unless something loaded kafkajs before this module). */
export const kafkaEncodingTuning: KafkaEncodingTuning = tuneKafkaEncoding();
/** kafkajs's connections do not wake the event loop every millisecond while idle (see `stopKafkajsIdleLoop`). */
export const kafkaIdleLoopStopped: boolean = stopKafkajsIdleLoop();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajs = require('kafkajs') as typeof import('kafkajs');

export const { CompressionTypes, Kafka, logLevel, Partitioners } = kafkajs;
