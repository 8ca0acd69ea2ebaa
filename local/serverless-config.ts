import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

/**
 * Reads serverless.yml the way the Serverless Framework does for the parts the offline stack
 * needs, so the local queue, table and bucket are the ones declared for AWS (one source of truth).
 * Supported variables: ${self:path}, ${sls:stage}, ${opt:stage|region, fallback}, ${env:NAME, fallback},
 * ${file(path)}; CloudFormation intrinsics are kept as their long form ({ Ref }, { 'Fn::GetAtt' }, ...).
 */
export type ServerlessConfig = Record<string, any>;

const INTRINSICS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'And', 'Equals', 'If', 'Not', 'Or', 'Condition', 'Ref'];

function cfnTags(): (ScalarTag | CollectionTag)[] {
  return INTRINSICS.flatMap((name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const wrap = (value: unknown) => ({ [key]: name === 'GetAtt' && typeof value === 'string' ? value.split('.') : value });
    return [
      { tag: `!${name}`, resolve: (value: string) => wrap(value) } as ScalarTag,
      { tag: `!${name}`, collection: 'seq', resolve: (seq: any) => wrap(seq.toJSON()) } as CollectionTag,
      { tag: `!${name}`, collection: 'map', resolve: (map: any) => wrap(map.toJSON()) } as CollectionTag,
    ];
  });
}

function readYaml(path: string): unknown {
  return parse(readFileSync(path, 'utf8'), { customTags: cfnTags() });
}

const VARIABLE = /\$\{\s*((?:self|sls|opt|env|file|aws|param|ssm|cf|s3|strToBool)\b[^${}]*)\}/;

export interface ResolveOptions {
  stage: string;
  region?: string;
  env?: Record<string, string | undefined>;
}

export function loadServerlessConfig(path: string, options: ResolveOptions): ServerlessConfig {
  const baseDir = dirname(resolve(path));
  const raw = readYaml(path) as ServerlessConfig;
  const env = options.env ?? {};
  const resolving = new Set<string>();

  const lookup = (root: unknown, dotted: string): unknown =>
    dotted.split('.').filter(Boolean).reduce<any>((node, key) => (node == null ? undefined : node[key]), root);

  const source = (expr: string): unknown => {
    const [head, ...rest] = splitTopLevel(expr);
    const fallback = rest.length ? parseFallback(rest.join(',')) : undefined;
    const ref = head!.trim();
    let value: unknown;
    if (ref.startsWith('self:')) {
      const path = ref.slice(5);
      if (resolving.has(path)) throw new Error(`serverless.yml: circular reference \${self:${path}}`);
      resolving.add(path);
      value = walk(lookup(raw, path));
      resolving.delete(path);
    } else if (ref === 'sls:stage' || ref === 'opt:stage') {
      value = ref === 'sls:stage' ? options.stage : options.stage ?? undefined;
    } else if (ref === 'opt:region' || ref === 'aws:region') {
      value = options.region;
    } else if (ref.startsWith('env:')) {
      value = env[ref.slice(4)];
    } else if (ref.startsWith('file(')) {
      const m = /^file\(([^)]+)\)(?::(.+))?$/.exec(ref);
      if (!m) throw new Error(`serverless.yml: cannot read variable \${${expr}}`);
      const doc = walk(readYaml(resolve(baseDir, m[1]!.trim())));
      value = m[2] ? lookup(doc, m[2]) : doc;
    } else {
      throw new Error(`serverless.yml: variable \${${expr}} needs AWS to resolve; the offline stack supports self, sls, opt, env and file`);
    }
    return value === undefined || value === null || value === '' ? fallback : value;
  };

  const interpolate = (text: string): unknown => {
    let current: unknown = text;
    for (;;) {
      if (typeof current !== 'string') return walk(current);
      const m = VARIABLE.exec(current);
      if (!m) return current;
      const value = source(m[1]!);
      if (m[0] === current) current = value;
      else current = current.replace(m[0], value === undefined ? '' : String(value));
    }
  };

  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };

  // Defaults the framework applies before it resolves variables.
  raw.provider ??= {};
  raw.provider.stage = options.stage;
  if (options.region) raw.provider.region = options.region;
  const resolved = walk(raw) as ServerlessConfig;
  options.region ??= resolved.provider?.region;
  return resolved;
}

function splitTopLevel(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let current = '';
  for (const ch of expr) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function parseFallback(text: string): unknown {
  const t = text.trim();
  if (/^(['"]).*\1$/s.test(t)) return t.slice(1, -1);
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}
