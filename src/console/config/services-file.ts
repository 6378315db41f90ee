/**
 * Reads `services.yaml` once and hands out validated sections on demand, so a bad `kafka` block does not
 * break `clusters cat-indices`. Errors name the file and the key path of the bad value.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';
import { ConsoleError } from '../errors';
import { clusterSchema, snapshotSchema, TOP_LEVEL_KEYS, type ClusterSection, type SnapshotSection } from './services-schema';

export class ServicesFile {
  readonly #raw: Record<string, unknown>;
  constructor(
    readonly path: string,
    raw: Record<string, unknown>,
  ) {
    this.#raw = raw;
    const unknown = Object.keys(raw).filter((k) => !(TOP_LEVEL_KEYS as readonly string[]).includes(k));
    if (unknown.length > 0) {
      throw new ConsoleError('MA_CONFIG_INVALID', `${path}: unknown top-level key "${unknown[0]}" (known: ${TOP_LEVEL_KEYS.join(', ')})`);
    }
  }

  /** Parses YAML text; `path` only names the file in messages. */
  static parse(text: string, path: string): ServicesFile {
    let raw: unknown;
    try {
      raw = parse(text);
    } catch (error) {
      throw new ConsoleError('MA_CONFIG_INVALID', `${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (raw === null || raw === undefined) raw = {};
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConsoleError('MA_CONFIG_INVALID', `${path} must hold a mapping of sections`);
    return new ServicesFile(path, raw as Record<string, unknown>);
  }

  static load(path: string): ServicesFile {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConsoleError('MA_CONFIG_MISSING', `cannot read the services file ${path} (${code ?? 'error'}); give another with --config-file`);
    }
    return ServicesFile.parse(text, path);
  }

  cluster(which: 'source' | 'target'): ClusterSection {
    const key = `${which}_cluster`;
    return this.#section(this.#raw[key] !== undefined ? key : which, clusterSchema, `${key} is not set in ${this.path}`);
  }

  hasCluster(which: 'source' | 'target'): boolean {
    return this.#raw[`${which}_cluster`] !== undefined || this.#raw[which] !== undefined;
  }

  snapshot(): SnapshotSection {
    return this.#section('snapshot', snapshotSchema, `snapshot is not set in ${this.path}`);
  }

  #section<T>(key: string, schema: z.ZodType<T>, missing: string): T {
    const value = this.#raw[key];
    if (value === undefined) throw new ConsoleError('MA_CONFIG_SECTION_MISSING', missing, 2);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = [key, ...issue.path.map(String)].join('.');
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` "${issue.keys.join('", "')}"` : '';
      throw new ConsoleError('MA_CONFIG_INVALID', `${this.path}: ${where}: ${issue.message}${keys}`);
    }
    return parsed.data;
  }
}
