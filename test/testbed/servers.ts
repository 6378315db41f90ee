/**
 * The servers the test bed can run, each described by how to fetch it, configure it, start it and know it is
 * healthy. Search engines get small heaps, `path.repo` pointing at the shared repository folder, and no security.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { installReindexModule } from './reindex-module';
import { fetchArtifact, fetchClasspath, unpackZip } from './artifacts';
import { findJdk, javaHome } from './java';
import { freePort, type LaunchSpec } from './launcher';
import { testbedCertificate } from './tls';

export type ServerName = 'source' | 'target' | 'kafka' | 's3' | 'es56' | 'es68' | 'es8' | 'es9' | 'os13' | 'os3';

export interface ServerContext {
  /** This server's own folder under the run directory. */
  dir: string;
  /** Shared folder for filesystem snapshot repositories. */
  repoDir: string;
  /** For servers with `dataInMemory`: a folder in memory for their data, when the machine has room (see memory-folder.ts). */
  memoryDir?: string;
}

export interface PreparedServer {
  spec: Omit<LaunchSpec, 'logFile' | 'runAs'>;
  /** What clients use: a URL, or host:port for Kafka. */
  endpoint: string;
  /** More endpoint fields this server publishes (TestbedEndpoints keys), such as secured listeners. */
  extraEndpoints?: Record<string, string>;
  probe: () => Promise<boolean>;
  /** Folders the server must be able to write. */
  writable: string[];
  startTimeoutMs: number;
}

export interface ServerDefinition {
  name: ServerName;
  description: string;
  /** The extra endpoint fields it publishes; a running server started without one of them is restarted. */
  publishes?: string[];
  /** Keeps its data in memory where it can (the test bed removes that folder when the server stops). */
  dataInMemory?: boolean;
  prepare(context: ServerContext): Promise<PreparedServer>;
}

export const S3_CREDENTIALS = { accessKeyId: 'testbed-access-key', secretAccessKey: 'testbed-secret-key', region: 'us-east-1' };

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return response.ok;
}

async function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

interface SearchEngine {
  name: ServerName;
  description: string;
  coordinates: string;
  zip: string;
  folder: string;
  launcher: string;
  confEnv: string;
  /** Extra settings for this generation (transport port key differs in 6.x). */
  settings: (transportPort: number) => string[];
  extraJvmOptions?: string[];
  /** Lines of the distribution's jvm.options this JDK refuses. */
  dropJvmOptions?: RegExp;
  /**
   * Elasticsearch 5 reads no config-folder variable: it takes the folder as `-Epath.conf` and the
   * jvm.options file from ES_JVM_OPTIONS.
   */
  pathConfArgument?: boolean;
  /** The Java home to run on, looked up only when this server is started (default: the default Java). */
  java?: () => string;
  /** Adds to the unpacked distribution what it lacks (once; the distribution folder is cached). */
  complete?: (home: string) => Promise<void>;
}

function searchEngine(engine: SearchEngine): ServerDefinition {
  return {
    name: engine.name,
    description: engine.description,
    async prepare({ dir, repoDir }) {
      const java = (engine.java ?? javaHome)();
      const home = await unpackZip(await fetchArtifact(engine.coordinates, engine.zip), engine.folder);
      await engine.complete?.(home);
      const [httpPort, transportPort] = [await freePort(), await freePort()];
      const config = join(dir, 'config');
      rmSync(config, { recursive: true, force: true });
      cpSync(join(home, 'config'), config, { recursive: true });
      for (const sub of ['data', 'logs', 'tmp']) mkdirSync(join(dir, sub), { recursive: true });
      const yml = [
        `cluster.name: testbed-${engine.name}`,
        `node.name: ${engine.name}`,
        `path.data: ${join(dir, 'data')}`,
        `path.logs: ${join(dir, 'logs')}`,
        `path.repo: ["${repoDir}"]`,
        'network.host: 127.0.0.1',
        `http.port: ${httpPort}`,
        ...engine.settings(transportPort),
        'discovery.type: single-node',
        'cluster.routing.allocation.disk.threshold_enabled: false',
        'action.destructive_requires_name: false',
      ];
      writeFileSync(join(config, engine.launcher === 'opensearch' ? 'opensearch.yml' : 'elasticsearch.yml'), yml.join('\n') + '\n');
      const jvmFile = join(config, 'jvm.options');
      const jvm = readFileSync(jvmFile, 'utf8')
        .split('\n')
        // Heap sized for a shared 2-core machine; GC logs and crash files default to relative paths in the
        // distribution folder, which the server user cannot write.
        .filter((line) => !/^-Xm[sx]|HeapDump|ErrorFile|Xlog:gc|Xloggc|GCLog|PrintGC|PrintTenuring/.test(line))
        .filter((line) => !engine.dropJvmOptions?.test(line))
        .concat(['-Xms512m', '-Xmx512m', ...(engine.extraJvmOptions ?? [])]);
      writeFileSync(jvmFile, jvm.join('\n') + '\n');
      const url = `http://127.0.0.1:${httpPort}`;
      return {
        spec: {
          command: join(home, 'bin', engine.launcher),
          args: engine.pathConfArgument ? [`-Epath.conf=${config}`] : [],
          cwd: dir,
          env: {
            JAVA_HOME: java,
            // Elasticsearch 8 reads only ES_JAVA_HOME (otherwise it looks for a bundled JDK this zip lacks).
            ES_JAVA_HOME: java,
            OPENSEARCH_JAVA_HOME: java,
            [engine.confEnv]: config,
            ES_TMPDIR: join(dir, 'tmp'),
            OPENSEARCH_TMPDIR: join(dir, 'tmp'),
            ...(engine.pathConfArgument ? { ES_JVM_OPTIONS: jvmFile } : {}),
          },
        },
        endpoint: url,
        probe: () => httpOk(`${url}/_cluster/health?wait_for_status=yellow&timeout=2s`),
        writable: [dir],
        startTimeoutMs: 180_000,
      };
    },
  };
}

export const opensearch219 = searchEngine({
  name: 'target',
  description: 'OpenSearch 2.19.1',
  coordinates: 'org.opensearch.distribution.integ-test-zip:opensearch:2.19.1:zip',
  zip: 'opensearch-2.19.1.zip',
  folder: 'opensearch-2.19.1',
  launcher: 'opensearch',
  confEnv: 'OPENSEARCH_PATH_CONF',
  // Reindex from remote, allowed from the loopback clusters only (the backfill benchmark compares against it).
  settings: (port) => [`transport.port: ${port}`, 'reindex.remote.allowlist: ["127.0.0.1:*"]'],
  complete: (home) => installReindexModule(home, '2.19.1'),
});

export const opensearch13 = searchEngine({
  name: 'os13',
  description: 'OpenSearch 1.3.20',
  coordinates: 'org.opensearch.distribution.integ-test-zip:opensearch:1.3.20:zip',
  zip: 'opensearch-1.3.20.zip',
  folder: 'opensearch-1.3.20',
  launcher: 'opensearch',
  confEnv: 'OPENSEARCH_PATH_CONF',
  settings: (port) => [`transport.port: ${port}`],
});

export const opensearch3 = searchEngine({
  name: 'os3',
  description: 'OpenSearch 3.3.0',
  coordinates: 'org.opensearch.distribution.integ-test-zip:opensearch:3.3.0:zip',
  zip: 'opensearch-3.3.0.zip',
  folder: 'opensearch-3.3.0',
  launcher: 'opensearch',
  confEnv: 'OPENSEARCH_PATH_CONF',
  settings: (port) => [`transport.port: ${port}`],
  // OpenSearch 3 (Lucene 10) is built for Java 21 and refuses older ones.
  java: () => findJdk(21),
  // Its heap is committed as it fills rather than all at start-up (about 200 MB less resident memory).
  extraJvmOptions: ['-XX:-AlwaysPreTouch'],
});

export const elasticsearch710 = searchEngine({
  name: 'source',
  description: 'Elasticsearch 7.10.2',
  coordinates: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:7.10.2:zip',
  zip: 'elasticsearch-7.10.2.zip',
  folder: 'elasticsearch-7.10.2',
  launcher: 'elasticsearch',
  confEnv: 'ES_PATH_CONF',
  settings: (port) => [`transport.port: ${port}`],
});

export const elasticsearch68 = searchEngine({
  name: 'es68',
  description: 'Elasticsearch 6.8.23',
  coordinates: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:6.8.23:zip',
  zip: 'elasticsearch-6.8.23.zip',
  folder: 'elasticsearch-6.8.23',
  launcher: 'elasticsearch',
  confEnv: 'ES_PATH_CONF',
  settings: (port) => [`transport.tcp.port: ${port}`],
  // 6.8 predates JDK 17's strong encapsulation and its CMS flags are gone there.
  extraJvmOptions: ['--add-opens=java.base/java.io=ALL-UNNAMED', '--add-opens=java.base/java.lang=ALL-UNNAMED', '--add-opens=java.base/java.nio=ALL-UNNAMED', '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED'],
});

/** Elasticsearch 8+ zips carry the security module; the test bed's clusters run without security. */
const withoutSecurity = (transportPort: number) => [`transport.port: ${transportPort}`, 'xpack.security.enabled: false'];

/**
 * Elasticsearch 8.19 (Lucene 9.12): the 8.x repository layout, and `best_compression` written as zstd stored
 * fields by the native zstd library the distribution ships. The integ-test zip carries the security module,
 * so security is switched off explicitly.
 */
export const elasticsearch8 = searchEngine({
  name: 'es8',
  description: 'Elasticsearch 8.19.0',
  coordinates: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.0:zip',
  zip: 'elasticsearch-8.19.0.zip',
  folder: 'elasticsearch-8.19.0',
  launcher: 'elasticsearch',
  confEnv: 'ES_PATH_CONF',
  settings: withoutSecurity,
  // Its heap is committed as it fills rather than all at start-up.
  extraJvmOptions: ['-XX:-AlwaysPreTouch'],
});

/** Elasticsearch 9.2 (Lucene 10), built for Java 21 like OpenSearch 3. */
export const elasticsearch9 = searchEngine({
  name: 'es9',
  description: 'Elasticsearch 9.2.0',
  coordinates: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:9.2.0:zip',
  zip: 'elasticsearch-9.2.0.zip',
  folder: 'elasticsearch-9.2.0',
  launcher: 'elasticsearch',
  confEnv: 'ES_PATH_CONF',
  settings: withoutSecurity,
  java: () => findJdk(21),
  extraJvmOptions: ['-XX:-AlwaysPreTouch'],
});

/**
 * Elasticsearch 5.6 (Lucene 6, `_uid` = type#id, several mapping types per index) on the default JDK 17.
 * Its jvm.options asks for the CMS collector, which the JVM no longer has (it refuses to start), so those
 * lines go and the JVM picks its default collector. It installs a security manager: JDK 18-23 allow that
 * only with java.security.manager=allow, and JDK 24 and later not at all ("Setting a Security Manager is not
 * supported"), so it runs on JDK 17 to 23. Nothing else is needed on JDK 17.
 */
export const elasticsearch56 = searchEngine({
  name: 'es56',
  description: 'Elasticsearch 5.6.16',
  coordinates: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch:5.6.16:zip',
  zip: 'elasticsearch-5.6.16.zip',
  folder: 'elasticsearch-5.6.16',
  launcher: 'elasticsearch',
  confEnv: 'ES_PATH_CONF',
  pathConfArgument: true,
  settings: (port) => [`transport.tcp.port: ${port}`],
  dropJvmOptions: /UseConcMarkSweepGC|CMSInitiatingOccupancy|UseCMSInitiatingOccupancyOnly/,
  // Its heap is committed as it fills rather than all at start-up (about 500 MB less resident memory).
  extraJvmOptions: ['-Djava.security.manager=allow', '-XX:-AlwaysPreTouch'],
});

const KAFKA_VERSION = '4.1.0';

/** The SCRAM-SHA-512 user the test bed's Kafka knows, created when its storage is formatted. */
export const KAFKA_SCRAM_USER = { username: 'testbed', password: 'testbed-scram-password' };

/**
 * One broker, three client listeners: PLAINTEXT (`kafka`), SASL_SSL with SCRAM-SHA-512 (`kafkaScram`) and
 * SSL without SASL (`kafkaTls`), the TLS ones with a certificate signed by a CA made on first start
 * (`kafkaCaFile`). Brokers and controller talk over PLAINTEXT, so the secured listeners cost only their
 * acceptors and the SSL context.
 */
export const kafka: ServerDefinition = {
  name: 'kafka',
  description: `Apache Kafka ${KAFKA_VERSION} (KRaft, single node)`,
  publishes: ['kafkaScram', 'kafkaTls', 'kafkaCaFile', 'kafkaScramUser', 'kafkaScramPassword', 'kafkaDataDir'],
  dataInMemory: true,
  async prepare({ dir, memoryDir }) {
    const lib = await fetchClasspath(`kafka-${KAFKA_VERSION}`, [
      `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
      'org.apache.logging.log4j:log4j-slf4j2-impl:2.24.3',
      'org.apache.logging.log4j:log4j-core:2.24.3',
    ]);
    const [port, controllerPort, scramPort, tlsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const certificate = testbedCertificate(join(dir, 'tls'));
    const data = join(memoryDir ?? dir, 'data');
    rmSync(data, { recursive: true, force: true });
    mkdirSync(data, { recursive: true });
    const properties = join(dir, 'server.properties');
    writeFileSync(
      properties,
      [
        'process.roles=broker,controller',
        'node.id=1',
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort},SASL_SSL://127.0.0.1:${scramPort},SSL://127.0.0.1:${tlsPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_SSL://127.0.0.1:${scramPort},SSL://127.0.0.1:${tlsPort}`,
        'controller.listener.names=CONTROLLER',
        'inter.broker.listener.name=PLAINTEXT',
        'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
        'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${certificate.keystoreFile}`,
        `ssl.key.password=${certificate.keyPassword}`,
        `log.dirs=${data}`,
        'num.partitions=1',
        'offsets.topic.replication.factor=1',
        'share.coordinator.state.topic.replication.factor=1',
        'transaction.state.log.replication.factor=1',
        'transaction.state.log.min.isr=1',
        'group.initial.rebalance.delay.ms=0',
        'auto.create.topics.enable=true',
        // Quiet while idle, for tests and benchmarks on a machine of few cores: the controller's no-op metadata
        // record every 500 ms, and 12 network and 8 request threads polling, cost the idle broker 95 to 170 ms
        // of CPU a second; 37 to 99 ms without them (two starts of each, two minutes in, back to back). One
        // network thread per listener and two request threads store the proxy benchmark's bulks as fast
        // (365 to 406 bulks/s, against 335 to 390 with the defaults).
        'metadata.max.idle.interval.ms=0',
        'num.network.threads=1',
        'num.io.threads=2',
        // Disk and page cache (or, with the log in memory, the memory it takes) stay small and are recycled
        // within seconds: the proxy benchmark pushes gigabytes through the broker, and a test bed lives long.
        // With 1 GiB kept per partition, checked every 30 s and files removed a minute after that, the broker's
        // files grew to 8 GB within minutes, its writes kept landing in memory the kernel had not used for a
        // while, and on a virtual machine each such page cost a fault to the host: the broker's system time
        // went from 1.5 to 17 ms per megabyte for minutes on end and the bulk benchmarks measured that. Pages
        // freed and reused within seconds cost no such fault.
        'log.segment.bytes=16777216',
        'log.retention.bytes=268435456',
        'log.retention.check.interval.ms=1000',
        'log.segment.delete.delay.ms=1000',
      ].join('\n') + '\n',
    );
    const log4j = join(dir, 'log4j2.properties');
    writeFileSync(
      log4j,
      ['rootLogger.level=WARN', 'rootLogger.appenderRef.out.ref=out', 'appender.out.type=Console', 'appender.out.name=out',
        'appender.out.layout.type=PatternLayout', 'appender.out.layout.pattern=[%d] %p %m (%c)%n',
        'logger.kafka.name=kafka.server.KafkaRaftServer', 'logger.kafka.level=INFO'].join('\n') + '\n',
    );
    const java = join(javaHome(), 'bin', 'java');
    const classpath = `${lib}/*`;
    // A heap of up to 1 GiB, as Kafka's own start script gives it: with 256 MiB the broker spent most of its CPU in
    // garbage collection under 1 MB produce requests (old generation full of request buffers, some 30 cycles a second).
    const jvm = ['-Xms256m', '-Xmx1g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', `-Dlog4j2.configurationFile=${log4j}`, '-cp', classpath];
    const clusterId = randomBytes(16).toString('base64url').slice(0, 22);
    // The SCRAM user goes into the bootstrap metadata, so it exists from the broker's first start.
    const scramUser = `SCRAM-SHA-512=[name=${KAFKA_SCRAM_USER.username},password=${KAFKA_SCRAM_USER.password}]`;
    // `--cluster-id=` in one argument: one id in 64 starts with "-", which the tool would take for an option.
    execFileSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', properties, '--add-scram', scramUser], { stdio: 'pipe' });
    return {
      spec: { command: java, args: [...jvm, 'kafka.Kafka', properties], cwd: dir, env: {} },
      endpoint: `127.0.0.1:${port}`,
      extraEndpoints: {
        kafkaScram: `127.0.0.1:${scramPort}`,
        kafkaTls: `127.0.0.1:${tlsPort}`,
        kafkaCaFile: certificate.caFile,
        kafkaScramUser: KAFKA_SCRAM_USER.username,
        kafkaScramPassword: KAFKA_SCRAM_USER.password,
        kafkaDataDir: data,
      },
      probe: async () => (await kafkaReady(port)) && (await tcpOpen('127.0.0.1', scramPort)) && tcpOpen('127.0.0.1', tlsPort),
      writable: [dir, data],
      startTimeoutMs: 120_000,
    };
  },
};

/** The broker answers metadata requests once the controller has elected itself. */
async function kafkaReady(port: number): Promise<boolean> {
  if (!(await tcpOpen('127.0.0.1', port))) return false;
  const { Kafka, logLevel } = await import('kafkajs');
  const admin = new Kafka({ clientId: 'testbed-probe', brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller >= 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export const s3proxy: ServerDefinition = {
  name: 's3',
  description: 'S3Proxy 2.6.0 (S3-compatible, filesystem backend)',
  async prepare({ dir }) {
    const jar = await fetchArtifact('org.gaul:s3proxy:2.6.0:jar:jar-with-dependencies', 's3proxy-2.6.0-jar-with-dependencies.jar');
    const local = join(dir, 's3proxy.jar');
    copyFileSync(jar, local);
    const port = await freePort();
    mkdirSync(join(dir, 'data'), { recursive: true });
    const properties = join(dir, 's3proxy.properties');
    writeFileSync(
      properties,
      [
        `s3proxy.endpoint=http://127.0.0.1:${port}`,
        's3proxy.authorization=aws-v2-or-v4',
        `s3proxy.identity=${S3_CREDENTIALS.accessKeyId}`,
        `s3proxy.credential=${S3_CREDENTIALS.secretAccessKey}`,
        'jclouds.provider=filesystem',
        `jclouds.filesystem.basedir=${join(dir, 'data')}`,
        'jclouds.identity=unused',
        'jclouds.credential=unused',
      ].join('\n') + '\n',
    );
    const java = join(javaHome(), 'bin', 'java');
    const url = `http://127.0.0.1:${port}`;
    return {
      spec: { command: java, args: ['-Xmx192m', '-jar', local, '--properties', properties], cwd: dir, env: {} },
      endpoint: url,
      probe: async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
        await response.arrayBuffer();
        return response.status > 0;
      },
      writable: [dir],
      startTimeoutMs: 60_000,
    };
  },
};

export const SERVERS: Record<ServerName, ServerDefinition> = {
  source: elasticsearch710,
  target: opensearch219,
  kafka,
  s3: s3proxy,
  es56: elasticsearch56,
  es68: elasticsearch68,
  es8: elasticsearch8,
  es9: elasticsearch9,
  os13: opensearch13,
  os3: opensearch3,
};

/**
 * Started unless asked otherwise; `os13` joins with MA_TESTBED_EXTRA=os13 or `--with os13`. OpenSearch 3
 * runs by default (about 10-15 s more start-up on two cores, 550-750 MB) so its reader tests always run, and so
 * does Elasticsearch 5.6 (ready within the others' start-up, about 250 MB resident at start).
 */
export const DEFAULT_SERVERS: ServerName[] = ['source', 'target', 'kafka', 's3', 'es56', 'es68', 'es8', 'es9', 'os3'];
