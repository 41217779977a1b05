/**
 * The container files, checked as far as a machine without a Docker daemon allows: the compose
 * file parses and gives both nodes what README "Several nodes" says every node needs, only keys
 * Latchkey reads, a start order that lets the first node migrate; the proxy spreads over exactly
 * those nodes; the Dockerfile runs unprivileged from the /data volume what `npm start` runs, and
 * its health check asks /api/ready. (The same two-node setup runs without containers in
 * tests/multinode/.)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/server/config.js';

interface ComposeService {
  image?: string;
  build?: string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
}

const compose = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const dockerfile = readFileSync('Dockerfile', 'utf8');
const nodes = Object.entries(compose.services).filter(([name]) => name.startsWith('latchkey-'));

/** The environment keys config.ts reads (its only reader of process.env). */
const configKeys = new Set(
  [...readFileSync('src/server/config.ts', 'utf8').matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((match) => match[1]),
);

describe('compose.yaml', () => {
  it('runs two Latchkey nodes from one image on the PostgreSQL service, with identical settings', () => {
    expect(nodes.map(([name]) => name)).toEqual(['latchkey-1', 'latchkey-2']);
    const [first, second] = nodes.map(([, service]) => service);
    expect(first!.image).toBe(second!.image);
    expect(first!.environment).toEqual(second!.environment);
    const env = first!.environment!;
    expect(new URL(env.DATABASE_URL!).hostname).toBe('postgres');
    expect(compose.services.postgres?.image).toMatch(/^postgres:/);
    // The secret key comes from outside and is required (a node would otherwise make its own).
    expect(env.LATCHKEY_SECRET_KEY).toMatch(/^\$\{LATCHKEY_SECRET_KEY:\?/);
    expect(env.LATCHKEY_TRUST_PROXY).toBe('true');
    expect(env.LATCHKEY_PUBLIC_URL).toContain('8080');
    for (const key of Object.keys(env)) expect(configKeys, `${key} is not read by config.ts`).toContain(key);
  });

  it('the settings are valid for Latchkey itself (config.ts accepts them)', () => {
    const env = { ...nodes[0]![1].environment! };
    env.LATCHKEY_SECRET_KEY = 'ab'.repeat(32);
    env.LATCHKEY_PUBLIC_URL = 'http://localhost:8080';
    const dataDir = mkdtempSync(path.join(tmpdir(), 'latchkey-compose-'));
    try {
      const config = loadConfig({ ...env, LATCHKEY_DATA_DIR: dataDir });
      expect(config.database.kind).toBe('postgres');
      expect(config.trustProxy).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('starts the first node (it migrates) before the second, and the proxy after both are ready', () => {
    expect(compose.services['latchkey-1']!.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(compose.services['latchkey-2']!.depends_on).toEqual({ 'latchkey-1': { condition: 'service_healthy' } });
    expect(Object.keys(compose.services.proxy!.depends_on!).sort()).toEqual(['latchkey-1', 'latchkey-2']);
  });

  it('the proxy balances over exactly the two nodes, on their port, checking /api/ready', () => {
    const mount = compose.services.proxy!.volumes!.find((volume) => volume.includes('Caddyfile'))!;
    const file = mount.split(':')[0]!.replace(/^\.\//, '');
    expect(existsSync(file)).toBe(true);
    const caddyfile = readFileSync(file, 'utf8');
    const upstreams = /reverse_proxy\s+([^{]+)\{/.exec(caddyfile)![1]!.trim().split(/\s+/);
    const port = nodes[0]![1].environment!.PORT;
    expect(upstreams).toEqual(nodes.map(([name]) => `${name}:${port}`));
    expect(caddyfile).toContain('health_uri /api/ready');
    expect(compose.services.proxy!.ports).toContain('8080:8080');
  });
});

describe('Dockerfile', () => {
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds in one stage and runs from another, as the unprivileged node user', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^FROM node:20[^\s]* AS build$/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).not.toMatch(/^USER root$/m);
  });

  it('keeps its data in the /data volume and listens on every interface', () => {
    expect(finalStage).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(finalStage).toContain('LATCHKEY_DATA_DIR=/data');
    expect(finalStage).toContain('HOST=0.0.0.0');
  });

  it('runs what `npm start` runs, and its health check asks /api/ready', () => {
    const { start, demo } = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> })
      .scripts;
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(finalStage)![1]!) as string[];
    expect(cmd.join(' ')).toBe(start);
    // The demo is the same server with the same Node flags (README "Configuration": memory).
    expect(demo).toBe(`${start} --demo`);
    expect(start).toContain('--max-semi-space-size=');
    expect(finalStage).toMatch(/^HEALTHCHECK .*\n?.*\/api\/ready/m);
    // Everything the start command needs is copied from the build stage.
    for (const path of ['node_modules', 'dist', 'package.json'])
      expect(finalStage).toMatch(new RegExp(`COPY --from=build .*/app/${path} `));
  });

  it('leaves the local data, dependencies and secrets out of the build context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['node_modules', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });
});
