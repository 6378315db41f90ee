/**
 * The OpenSearch `reindex` module, which the integration-test distribution leaves out, assembled from its
 * published jars so the target can run `_reindex` from a remote source (a reference point in the backfill
 * benchmark). Installed once into the cached distribution's `modules/` folder.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fetchClasspath } from './artifacts';

/** Jars the server already has in `lib/`; a second copy inside the module would be refused as jar hell. */
function alreadyInServer(home: string): Set<string> {
  return new Set(readdirSync(join(home, 'lib')).map(artifactName));
}

function artifactName(jar: string): string {
  return jar.replace(/-\d[\w.-]*\.jar$/, '');
}

export async function installReindexModule(home: string, version: string): Promise<void> {
  const target = join(home, 'modules', 'reindex');
  if (existsSync(target)) return;
  const jars = await fetchClasspath(`opensearch-reindex-${version}`, [`org.opensearch.plugin:reindex-client:${version}`]);
  const inServer = alreadyInServer(home);
  const staging = `${target}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const jar of readdirSync(jars).filter((f) => f.endsWith('.jar') && !inServer.has(artifactName(f)))) cpSync(join(jars, jar), join(staging, jar));
  writeFileSync(
    join(staging, 'plugin-descriptor.properties'),
    [
      'description=Reindex, update-by-query and delete-by-query, with reindex from a remote cluster',
      `version=${version}`,
      'name=reindex',
      'classname=org.opensearch.index.reindex.ReindexPlugin',
      'java.version=11',
      `opensearch.version=${version}`,
      'custom.foldername=',
      'extended.plugins=',
      'has.native.controller=false',
      '',
    ].join('\n'),
  );
  // Reindex from remote opens connections to the source through the REST client.
  writeFileSync(
    join(staging, 'plugin-security.policy'),
    'grant {\n  permission java.net.SocketPermission "*", "connect";\n  permission java.net.NetPermission "getProxySelector";\n};\n',
  );
  renameSync(staging, target);
}
