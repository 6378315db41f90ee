/** Parses capture-proxy arguments as the program does, with `env` set in the environment for the call only. */
import { buildProxyCommand, normaliseArgs, parseProxyOptions, type ProxyConfig } from '../../src/capture-proxy/options';

export function parseProxyArgs(argv: string[], env: Record<string, string> = {}): ProxyConfig {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const command = buildProxyCommand().exitOverride();
    command.parse(normaliseArgs(argv), { from: 'user' });
    return parseProxyOptions(command.opts());
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
