/**
 * No Docker engine runs here, so docker-compose.yml and the Dockerfile are proven by reading
 * them: every build input exists, every variable is one our config validation knows, ports and
 * health checks match the contract. tests/production.test.ts runs the same commands as processes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { authEnvSchema } from '@microservice-math/auth/config';
import { mathEnvSchema } from '@microservice-math/math/config';
import { routerEnvSchema } from '@microservice-math/router/config';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '..');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[] };
  secrets?: string[];
  ulimits?: { nofile?: { soft: number; hard: number } };
  restart?: string;
}

const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  secrets: Record<string, { file: string }>;
  volumes: Record<string, unknown>;
};

const contract = {
  auth: { port: 5001, portVariable: 'AUTH_PORT', known: Object.keys(authEnvSchema.shape) },
  math: { port: 5002, portVariable: 'MATH_PORT', known: Object.keys(mathEnvSchema.shape) },
  router: { port: 8000, portVariable: 'ROUTER_PORT', known: Object.keys(routerEnvSchema.shape) },
  // The client server reads only these (client/server.js, clientConfigFrom).
  client: {
    port: 8501,
    portVariable: 'CLIENT_PORT',
    known: ['NODE_ENV', 'CLIENT_PORT', 'ROUTER_URL', 'CLIENT_PROXY_SECRET', 'HOST'],
  },
} as const;

/** Dockerfile stages by name, each with its instructions. */
function dockerfileStages(path: string): Map<string, string[]> {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of lines) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [];
      if (from[1]) stages.set(from[1], current);
    }
    current.push(line);
  }
  return stages;
}

describe('docker-compose.yml', () => {
  it('runs redis, auth, math, router and client, with PostgreSQL behind the postgres profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'auth',
      'client',
      'math',
      'postgres',
      'redis',
      'router',
    ]);
    expect(compose.services['redis']?.image).toMatch(/^redis:/);
    expect(compose.services['postgres']?.profiles).toEqual(['postgres']);
  });

  // A service that exits (a start that could not reach its database within 30 s, a crash) comes
  // back by itself, as the stack was started: compose's default is never to restart it.
  it('restarts every service that exits, unless it was stopped', () => {
    for (const [name, service] of Object.entries(compose.services))
      expect((service as ComposeService).restart, name).toBe('unless-stopped');
  });

  describe.each(Object.entries(contract))('%s', (name, expected) => {
    const service = compose.services[name] as ComposeService;

    it('is built from a stage of an existing Dockerfile whose context-relative COPY sources all exist', () => {
      const build = service.build!;
      const context = resolve(root, build.context);
      const dockerfile = join(context, build.dockerfile);
      expect(existsSync(dockerfile)).toBe(true);
      const stages = dockerfileStages(dockerfile);
      expect(stages.has(build.target), `stage ${build.target}`).toBe(true);
      const copies = [...stages.values()]
        .flat()
        .filter((line) => /^COPY\s/i.test(line) && !/--from=/i.test(line));
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) {
        const parts = copy
          .split(/\s+/)
          .slice(1)
          .filter((part) => !part.startsWith('--'));
        for (const source of parts.slice(0, -1)) {
          expect(existsSync(join(context, source)), `${copy}: ${source}`).toBe(true);
        }
      }
    });

    it('runs as a non-root user with production settings', () => {
      const stage = dockerfileStages(join(root, 'Dockerfile')).get(service.build!.target)!;
      expect(stage).toContain('USER node');
      const environment = service.environment ?? {};
      expect(environment['NODE_ENV']).toBe('production');
    });

    it('sets only variables our configuration validation knows', () => {
      for (const variable of Object.keys(service.environment ?? {})) {
        expect(expected.known, `${name}: ${variable}`).toContain(variable);
      }
    });

    it('listens and publishes the contract port, and checks health on /health or /ready', () => {
      expect(Number(service.environment?.[expected.portVariable])).toBe(expected.port);
      expect(service.ports).toEqual([`${expected.port}:${expected.port}`]);
      const check = service.healthcheck!.test.join(' ');
      expect(check).toMatch(new RegExp(`127\\.0\\.0\\.1:${expected.port}/(health|ready)?'`));
      const stage = dockerfileStages(join(root, 'Dockerfile')).get(service.build!.target)!;
      expect(stage).toContain(`EXPOSE ${expected.port}`);
    });

    it('waits for the services it needs to be healthy', () => {
      for (const dependency of Object.values(service.depends_on ?? {})) {
        expect(dependency.condition).toBe('service_healthy');
      }
    });
  });

  it('lets the router hold 10,000 subscribers: a descriptor limit well above their sockets', () => {
    // Each subscriber is a socket, and each subgraph call may open one more.
    const nofile = compose.services['router']?.ulimits?.nofile;
    expect(nofile?.soft).toBeGreaterThanOrEqual(2 * 10_000);
    expect(nofile?.hard).toBeGreaterThanOrEqual(nofile?.soft ?? Infinity);
  });

  it('keeps secrets out of the file: the router secret and signing key come from .env and a secret file', () => {
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(text).toContain('ROUTER_SECRET: ${ROUTER_SECRET:?');
    expect(compose.services['auth']?.secrets).toEqual(['auth_private_key']);
    expect(compose.services['auth']?.environment?.['AUTH_PRIVATE_KEY_FILE']).toBe(
      '/run/secrets/auth_private_key',
    );
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    expect(example).toMatch(/^ROUTER_SECRET=$/m);
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });

  it('shares one SQLite volume between auth and math, and points both at PostgreSQL when DATABASE_URL says so', () => {
    for (const name of ['auth', 'math']) {
      expect(compose.services[name]?.environment?.['DATABASE_URL']).toBe(
        '${DATABASE_URL:-file:/app/data/microservice_math.db}',
      );
      expect((compose.services[name] as { volumes?: string[] }).volumes).toEqual([
        'sqlite-data:/app/data',
      ]);
    }
    expect(Object.keys(compose.volumes)).toContain('sqlite-data');
  });
});

/** What a workspace's image runs: its non-test TypeScript under src/, or the client's server. */
const runtimeCode = {
  auth: { workspace: 'subgraphs/auth', files: sourcesUnder('subgraphs/auth/src') },
  math: { workspace: 'subgraphs/math', files: sourcesUnder('subgraphs/math/src') },
  router: { workspace: 'router', files: sourcesUnder('router/src') },
  client: { workspace: 'client', files: ['client/server.js'] },
  shared: { workspace: 'packages/shared', files: sourcesUnder('packages/shared/src') },
} as const;

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|js)$/.test(file) && !/\.test\.ts$|\.fixtures\.ts$/.test(file))
    .map((file) => join(dir, file));
}

/** Packages a file loads when it runs: type-only imports are erased by tsc, so they do not count. */
function packagesLoadedBy(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] as string);
  return specifiers
    .filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))
    .filter((spec) => !builtinModules.includes(spec))
    .map((spec) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** The production dependencies of a workspace, with those of the workspaces it depends on. */
function productionDependencies(workspace: string): Set<string> {
  const manifest = JSON.parse(readFileSync(join(root, workspace, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const names = new Set(Object.keys(manifest.dependencies ?? {}));
  for (const name of [...names]) {
    const own = Object.values(runtimeCode).find(
      (code) =>
        JSON.parse(readFileSync(join(root, code.workspace, 'package.json'), 'utf8')).name === name,
    );
    if (own) for (const dependency of productionDependencies(own.workspace)) names.add(dependency);
  }
  return names;
}

describe('images install production dependencies only (npm ci --omit=dev)', () => {
  it.each(Object.entries(runtimeCode))(
    '%s: every package its code loads at run time is a production dependency',
    (_name, { workspace, files }) => {
      expect(files.length).toBeGreaterThan(0);
      const installed = productionDependencies(workspace);
      const missing = files.flatMap((file) =>
        packagesLoadedBy(file)
          .filter((name) => !installed.has(name))
          .map((name) => `${relative(root, join(root, file))}: ${name}`),
      );
      expect(missing).toEqual([]);
    },
  );
});

/** The local modules a script imports (`./name.js` beside it), and theirs, the script included. */
function localModules(script: string, seen = new Set<string>()): Set<string> {
  if (seen.has(script)) return seen;
  seen.add(script);
  const text = readFileSync(join(root, script), 'utf8');
  for (const [, name] of text.matchAll(/from '\.\/([\w.-]+)\.js'/g)) {
    localModules(join(script, '..', `${name}.ts`), seen);
  }
  return seen;
}

describe("the Dockerfile's build stage", () => {
  it('copies every script `npm run build` runs, with the modules those scripts import', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    // `build` and the root scripts it runs (`npm run bundle`), as far as they name files.
    const commands = [scripts['build'] ?? ''];
    for (const [, name] of commands[0]!.matchAll(/npm run ([\w:-]+)/g)) {
      const command = name === undefined || name === 'build' ? undefined : scripts[name];
      if (command) commands.push(command);
    }
    const named = commands.flatMap((command) => command.match(/scripts\/[\w.-]+\.ts/g) ?? []);
    expect(named).toContain('scripts/bundleServices.ts');
    const needed = [...new Set(named.flatMap((script) => [...localModules(script)]))];
    const copied = dockerfileStages(join(root, 'Dockerfile'))
      .get('build')!
      .filter((line) => /^COPY\s/i.test(line) && !/--from=/i.test(line))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    const missing = needed.filter(
      (file) => !copied.some((source) => file === source || file.startsWith(`${source}/`)),
    );
    expect(missing).toEqual([]);
  });
});
