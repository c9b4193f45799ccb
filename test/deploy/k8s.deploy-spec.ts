import 'reflect-metadata';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PATH_METADATA } from '@nestjs/common/constants';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { API_PREFIX, CONSOLE_PAGES } from '../../src/common/http-paths';
import { AppConfig } from '../../src/config/app-config';
import { HealthController } from '../../src/health/health.controller';
import {
  envExampleKeys,
  K8sObject,
  kubectlVersion,
  mebibytes,
  parseYamlDocuments,
  renderKustomization,
  REPO_ROOT,
  repoFile,
  selects,
  unknownFieldProblems,
  validateAgainstSchema,
} from './manifests';

const OVERLAYS = ['small', 'large'];
const NAMESPACE = 'combot';
// PostgreSQL's default max_connections (100) less superuser_reserved_connections (3) and 10 for sessions outside the
// Deployments (the CLI's export or erasure, psql, a backup, a metrics exporter).
const POSTGRES_CONNECTIONS = 87;

/** The probe paths as the API serves them, read from the controller's own route metadata. */
function healthPath(method: 'live' | 'ready'): string {
  const controller = Reflect.getMetadata(PATH_METADATA, HealthController) as string;
  const route = Reflect.getMetadata(PATH_METADATA, HealthController.prototype[method]) as string;
  return `/${API_PREFIX}/${controller}/${route}`;
}

const secretExample = parseYamlDocuments(
  repoFile('deploy/k8s/secret.example.yaml'),
  'secret.example.yaml',
)[0] as ISecret & K8sObject;

interface Workload {
  name: string;
  component: string;
  template: IPodTemplateSpec;
}

class Rendered {
  constructor(readonly objects: K8sObject[]) {}

  ofKind<T>(kind: string): (T & K8sObject)[] {
    return this.objects.filter((object) => object.kind === kind) as (T & K8sObject)[];
  }

  one<T>(kind: string, name: string): T & K8sObject {
    const found = this.ofKind<T>(kind).find((object) => object.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} rendered`);
    return found;
  }

  workloads(): Workload[] {
    const fromDeployments = this.ofKind<IDeployment>('Deployment').map((d) => ({
      name: d.metadata.name,
      template: d.spec!.template,
    }));
    const fromJobs = this.ofKind<IJob>('Job').map((job) => ({ name: job.metadata.name, template: job.spec!.template }));
    return [...fromDeployments, ...fromJobs].map((workload) => ({
      ...workload,
      component: workload.template.metadata?.labels?.['app.kubernetes.io/component'] ?? '',
    }));
  }

  workload(component: string): Workload {
    const found = this.workloads().find((workload) => workload.component === component);
    if (!found) throw new Error(`no ${component} workload rendered`);
    return found;
  }

  configMap(name: string): IConfigMap & K8sObject {
    return this.one<IConfigMap>('ConfigMap', name);
  }

  /** What a container's environment holds: its ConfigMaps and the example Secret (envFrom), then its own env. */
  environment(container: IContainer): Record<string, string> {
    const env: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) Object.assign(env, this.configMap(source.configMapRef.name!).data);
      if (source.secretRef) Object.assign(env, secretExample.stringData);
    }
    for (const variable of container.env ?? []) env[variable.name] = variable.value ?? '';
    return env;
  }

  config(container: IContainer): AppConfig {
    return new AppConfig(this.environment(container));
  }
}

function containersOf(template: IPodTemplateSpec): IContainer[] {
  return [...(template.spec!.initContainers ?? []), ...template.spec!.containers];
}

describe(`Kubernetes manifests rendered by kubectl ${kubectlVersion()}`, () => {
  const rendered = new Map<string, Rendered>();
  beforeAll(() => {
    for (const overlay of OVERLAYS)
      rendered.set(overlay, new Rendered(renderKustomization(`deploy/k8s/overlays/${overlay}`)));
  });
  const overlay = (name: string): Rendered => rendered.get(name)!;

  it('validates every rendered object and the example Secret against the Kubernetes schemas', () => {
    const problems: string[] = [];
    for (const [name, { objects }] of rendered) {
      expect(objects.length).toBeGreaterThan(10);
      for (const object of [...objects, secretExample]) {
        try {
          validateAgainstSchema(object);
        } catch (error) {
          problems.push(`${name}: ${object.kind}/${object.metadata.name}: ${(error as Error).message}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has no field the Kubernetes API does not know', () => {
    const objects = [...[...rendered.values()].flatMap((r) => r.objects), secretExample];
    expect(unknownFieldProblems(objects)).toEqual([]);
  });

  it('the checks above catch a schema violation and a misspelt field', () => {
    const deployment = structuredClone(overlay('small').one<IDeployment>('Deployment', 'combot-api'));
    const container = deployment.spec!.template.spec!.containers[0] as IContainer & Record<string, unknown>;
    container.livenesProbe = container.livenessProbe;
    expect(unknownFieldProblems([deployment])).toEqual([expect.stringContaining('\'"livenesProbe"\' does not exist')]);
    container.resources = { requests: { memory: 'a lot' } };
    expect(() => validateAgainstSchema(deployment)).toThrow(/resources\/requests\/memory/);
  });

  it.each(OVERLAYS)('%s: puts every namespaced object in the combot namespace', (name) => {
    const misplaced = overlay(name)
      .objects.filter((object) => object.kind !== 'Namespace' && object.metadata.namespace !== NAMESPACE)
      .map((object) => `${object.kind}/${object.metadata.name}`);
    expect(misplaced).toEqual([]);
    expect(secretExample.metadata.namespace).toBe(NAMESPACE);
  });

  it.each(OVERLAYS)('%s: probes the API at its real health paths', (name) => {
    const api = overlay(name).one<IDeployment>('Deployment', 'combot-api');
    const container = api.spec!.template.spec!.containers[0];
    const portNames = (container.ports ?? []).map((port) => port.name);
    expect(healthPath('live')).toBe('/api/health/live');
    for (const [probe, route] of [
      [container.startupProbe, healthPath('live')],
      [container.livenessProbe, healthPath('live')],
      [container.readinessProbe, healthPath('ready')],
    ] as const) {
      expect(probe?.httpGet?.path).toBe(route);
      expect(portNames).toContain(probe?.httpGet?.port);
    }
    expect(container.ports?.[0].containerPort).toBe(overlay(name).config(container).http.port);
  });

  it.each(OVERLAYS)('%s: gives the worker a probe that needs no HTTP', (name) => {
    const worker = overlay(name).workload('worker');
    const container = worker.template.spec!.containers[0];
    expect(container.command).toContain('dist/src/worker.js');
    expect(container.livenessProbe?.exec?.command?.length).toBeGreaterThan(0);
    expect(container.livenessProbe?.httpGet).toBeUndefined();
    expect(container.ports ?? []).toEqual([]);
  });

  it.each(OVERLAYS)('%s: names only variables .env.example documents, with values the config accepts', (name) => {
    const known = envExampleKeys();
    const r = overlay(name);
    const named = new Set<string>(Object.keys(secretExample.stringData ?? {}));
    for (const workload of r.workloads()) {
      for (const container of containersOf(workload.template)) {
        for (const key of Object.keys(r.environment(container))) named.add(key);
        // A bad value stops the process at start with exit 78; here it fails the test instead.
        expect(() => r.config(container)).not.toThrow();
      }
    }
    expect([...named].filter((key) => !known.has(key))).toEqual([]);
  });

  it.each(OVERLAYS)('%s: reads secrets only from the operator-made combot-secrets Secret', (name) => {
    const r = overlay(name);
    expect(r.ofKind('Secret')).toEqual([]);
    for (const workload of r.workloads()) {
      for (const container of containersOf(workload.template)) {
        const secretNames = [
          ...(container.envFrom ?? []).flatMap((source) => (source.secretRef ? [source.secretRef.name] : [])),
          ...(container.env ?? []).flatMap((env) =>
            env.valueFrom?.secretKeyRef ? [env.valueFrom.secretKeyRef.name] : [],
          ),
        ];
        expect(secretNames).toEqual([secretExample.metadata.name]);
        for (const source of container.envFrom ?? []) {
          if (source.configMapRef) expect(() => r.configMap(source.configMapRef!.name!)).not.toThrow();
        }
      }
    }
  });

  // The worker reads the study too (its jobs store conversations): without the file it stops at start (exit 78).
  it.each(OVERLAYS)(
    '%s: mounts studies/example.json where STUDY_CONTENT_FILE points, in the API and the worker',
    (name) => {
      const r = overlay(name);
      for (const component of ['api', 'worker']) {
        const workload = r.workload(component);
        const container = workload.template.spec!.containers[0];
        const file = r.environment(container).STUDY_CONTENT_FILE;
        const mount = container.volumeMounts?.find((m) => m.mountPath === path.posix.dirname(file));
        const volume = workload.template.spec!.volumes?.find((v) => v.name === mount?.name);
        expect({ component, configMap: volume?.configMap?.name }).toEqual({ component, configMap: expect.any(String) });
        const study = r.configMap(volume!.configMap!.name!);
        expect(study.data?.[path.posix.basename(file)]).toBe(repoFile('studies/example.json'));
      }
    },
  );

  it.each(OVERLAYS)('%s: sets requests and a memory limit on every container, above the measured RSS', (name) => {
    const r = overlay(name);
    for (const workload of r.workloads()) {
      for (const container of containersOf(workload.template)) {
        const { requests, limits } = container.resources ?? {};
        expect({
          workload: workload.name,
          cpu: requests?.cpu !== undefined,
          memory: requests?.memory !== undefined,
        }).toEqual({
          workload: workload.name,
          cpu: true,
          memory: true,
        });
        expect(mebibytes(limits?.memory)).toBeGreaterThanOrEqual(mebibytes(requests?.memory));
      }
    }
    const api = r.workload('api').template.spec!.containers[0];
    // README "Performance": ~270-280 MiB RSS under load; readiness (HEALTH_RSS_LIMIT_MB) must trip before the OOM kill.
    expect(mebibytes(api.resources?.requests?.memory)).toBeGreaterThanOrEqual(280);
    const rssLimitMb = r.config(api).health.rssLimitBytes / 1024 / 1024;
    expect(rssLimitMb).toBeLessThan(mebibytes(api.resources?.limits?.memory));
    expect(rssLimitMb).toBeGreaterThan(280);
    expect(
      mebibytes(r.workload('worker').template.spec!.containers[0].resources?.requests?.memory),
    ).toBeGreaterThanOrEqual(250);
  });

  it.each(OVERLAYS)(
    '%s: pins the HTTP processes and inference threads, which default to the node’s cores, not the pod’s CPU',
    (name) => {
      const r = overlay(name);
      const envOf = (component: string) => r.environment(r.workload(component).template.spec!.containers[0]);
      // One HTTP process per pod: replicas scale out, and the memory request is sized for one model pool.
      expect(envOf('api').API_PROCESSES).toBe('1');
      expect(r.config(r.workload('api').template.spec!.containers[0]).ml.workers).toBe(1);
      expect(envOf('worker').ML_WORKERS).toMatch(/^[1-4]$/);
    },
  );

  it.each(OVERLAYS)('%s: drains before SIGTERM and leaves time for the graceful shutdown', (name) => {
    const r = overlay(name);
    const spec = r.workload('api').template.spec!;
    const container = spec.containers[0];
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop[0]).toBe('sleep');
    const drainSeconds = Number(preStop[1]);
    expect(drainSeconds).toBeGreaterThanOrEqual(3);
    const shutdownSeconds = r.config(container).http.shutdownTimeoutMs / 1000;
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(drainSeconds + shutdownSeconds + 5);
  });

  it.each(OVERLAYS)(
    '%s: runs every container as non-root with a read-only root file system and a writable /tmp',
    (name) => {
      for (const workload of overlay(name).workloads()) {
        const spec = workload.template.spec!;
        expect(spec.securityContext?.runAsNonRoot).toBe(true);
        expect(spec.securityContext?.runAsUser).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken).toBe(false);
        expect(spec.enableServiceLinks).toBe(false);
        for (const container of containersOf(workload.template)) {
          expect(container.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
          expect(spec.volumes?.find((volume) => volume.name === tmp?.name)?.emptyDir).toBeDefined();
        }
      }
    },
  );

  it.each(OVERLAYS)('%s: runs one image everywhere, so the migration matches the API it prepares', (name) => {
    const images = new Set(
      overlay(name)
        .workloads()
        .flatMap((w) => containersOf(w.template).map((c) => c.image)),
    );
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/:[\w.-]+$/);
  });

  it.each(OVERLAYS)('%s: scales the API Deployment on CPU and leaves its replica count to the HPA', (name) => {
    const r = overlay(name);
    const [hpa] = r.ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    const target = hpa.spec!.scaleTargetRef;
    const api = r.one<IDeployment>(target.kind, target.name);
    expect(target.apiVersion).toBe(api.apiVersion);
    expect(api.spec!.template.metadata?.labels?.['app.kubernetes.io/component']).toBe('api');
    expect(api.spec!.replicas).toBeUndefined();
    expect(hpa.spec!.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec!.maxReplicas).toBeGreaterThanOrEqual(hpa.spec!.minReplicas!);
    expect(hpa.spec!.metrics).toEqual([
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    ]);
    expect(api.spec!.template.spec!.containers[0].resources?.requests?.cpu).toBeDefined();
  });

  it.each(OVERLAYS)('%s: selects exactly the API pods by the PDB and the Service', (name) => {
    const r = overlay(name);
    const [pdb] = r.ofKind<IPodDisruptionBudget>('PodDisruptionBudget');
    // All replicas unready together (a database outage) must not block every node drain.
    expect(pdb.spec!.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    const service = r.one<IService>('Service', 'combot-api');
    for (const workload of r.workloads()) {
      const labels = workload.template.metadata?.labels;
      expect({ workload: workload.component, pdb: selects(pdb.spec!.selector!, labels) }).toEqual({
        workload: workload.component,
        pdb: workload.component === 'api',
      });
      expect(selects({ matchLabels: service.spec!.selector }, labels)).toBe(workload.component === 'api');
    }
    const container = r.workload('api').template.spec!.containers[0];
    const targetPorts = service.spec!.ports!.map((port) => port.targetPort);
    expect(container.ports?.map((port) => port.name)).toEqual(expect.arrayContaining(targetPorts));
  });

  it.each(OVERLAYS)(
    '%s: routes the chat and the study console through the ingress and keeps metrics inside',
    (name) => {
      const r = overlay(name);
      const [ingress] = r.ofKind<IIngress>('Ingress');
      const paths = ingress.spec!.rules!.flatMap((rule) => rule.http!.paths);
      for (const { backend } of paths) {
        const service = r.one<IService>('Service', backend.service!.name);
        expect(service.spec!.ports!.map((port) => port.name)).toContain(backend.service!.port!.name);
      }
      // pathType Prefix matches whole path segments.
      for (const { pathType } of paths) expect(pathType).toBe('Prefix');
      const routed = (url: string): boolean =>
        paths.some(
          ({ path: prefix }) => url === prefix || url.startsWith(prefix!.endsWith('/') ? prefix! : `${prefix}/`),
        );
      const consolePages = [
        `/${CONSOLE_PAGES.console}/`,
        `/${CONSOLE_PAGES.login}`,
        `/${CONSOLE_PAGES.asset.replace(':name', 'console.js')}`,
      ];
      for (const url of [
        '/api/random/initial/',
        '/api/random/',
        '/api/chatbot/closing/',
        '/api/lulu/',
        '/api/health/live',
        ...consolePages,
      ]) {
        expect({ url, routed: routed(url) }).toEqual({ url, routed: true });
      }
      // The health reports ask PostgreSQL and Redis on every call and are not throttled: inside the cluster only.
      for (const url of [
        '/api/metrics',
        '/api/ml/classify',
        '/api/jobs/ml/1',
        '/api/docs',
        '/api/health',
        '/api/health/ready',
      ]) {
        expect({ url, routed: routed(url) }).toEqual({ url, routed: false });
      }
      expect(ingress.spec!.ingressClassName).toBe('nginx');
      const api = r.config(r.workload('api').template.spec!.containers[0]);
      // Behind the ingress every request comes from nginx: without a trusted hop all participants share one limit.
      expect(api.http.trustProxy).not.toBe(false);
      expect(api.http.trustProxy).not.toBe('loopback');
      const kib = (size: string): number => Number(/^(\d+)k/i.exec(size)?.[1]);
      expect(kib(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-body-size'])).toBeGreaterThanOrEqual(
        kib(api.http.bodyLimit),
      );
    },
  );

  /** Each workload's allowed egress as `PROTOCOL/port`, from every policy that selects its pods. */
  function egressPortsOf(r: Rendered): Record<string, string[]> {
    const policies = r.ofKind<INetworkPolicy>('NetworkPolicy');
    return Object.fromEntries(
      r.workloads().map((workload) => {
        const labels = workload.template.metadata?.labels;
        const mine = policies.filter((policy) => selects(policy.spec!.podSelector, labels));
        const ports = mine.flatMap((policy) =>
          (policy.spec!.egress ?? []).flatMap((rule) => (rule.ports ?? []).map((p) => `${p.protocol}/${p.port}`)),
        );
        return [workload.component, [...new Set(ports)].sort()];
      }),
    );
  }

  it.each(OVERLAYS)('%s: admits API traffic from the ingress only and lets pods reach only what they use', (name) => {
    const r = overlay(name);
    const policies = r.ofKind<INetworkPolicy>('NetworkPolicy');
    for (const workload of r.workloads()) {
      const labels = workload.template.metadata?.labels;
      const mine = policies.filter((policy) => selects(policy.spec!.podSelector, labels));
      const types = new Set(mine.flatMap((policy) => policy.spec!.policyTypes ?? []));
      expect({ workload: workload.component, ingress: types.has('Ingress'), egress: types.has('Egress') }).toEqual({
        workload: workload.component,
        ingress: true,
        egress: true,
      });
      const ingressRules = mine.flatMap((policy) => policy.spec!.ingress ?? []);
      if (workload.component === 'api') {
        expect(ingressRules.length).toBeGreaterThan(0);
        for (const rule of ingressRules) {
          expect(rule.from?.length).toBeGreaterThan(0);
          for (const peer of rule.from!) expect(peer.namespaceSelector?.matchLabels).toBeDefined();
          expect(rule.ports?.map((port) => port.port)).toEqual([8000]);
        }
        const namespaces = ingressRules.flatMap((rule) =>
          rule.from!.map((peer) => peer.namespaceSelector!.matchLabels!['kubernetes.io/metadata.name']),
        );
        expect(namespaces).toContain('ingress-nginx');
      } else {
        expect(ingressRules).toEqual([]);
      }
    }
    // No way out to the internet unless an overlay adds the LLM's rule (below).
    expect(egressPortsOf(r)).toEqual({
      api: ['TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53'],
      worker: ['TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53'],
      migrate: ['TCP/53', 'TCP/5432', 'UDP/53'],
    });
  });

  it.each(OVERLAYS)('%s + optional/llm-egress: HTTPS out for the API pods, and for nothing else', (name) => {
    const optional = renderKustomization('deploy/k8s/optional/llm-egress');
    expect(optional.map((object) => [object.kind, object.metadata.namespace])).toEqual([['NetworkPolicy', 'combot']]);
    validateAgainstSchema(optional[0]);
    // What an overlay listing both bases renders: its objects and the optional policy.
    const withLlm = egressPortsOf(new Rendered([...overlay(name).objects, ...optional]));
    expect(withLlm).toEqual({
      ...egressPortsOf(overlay(name)),
      api: [...egressPortsOf(overlay(name)).api, 'TCP/443'].sort(),
    });
  });

  it.each(OVERLAYS)('%s: fits every PostgreSQL connection in max_connections at the HPA maximum', (name) => {
    const r = overlay(name);
    const [hpa] = r.ofKind<IHorizontalPodAutoscaler>('HorizontalPodAutoscaler');
    // A rolling update runs up to maxSurge extra pods of each Deployment beside the old ones.
    const surgeOf = (deployment: IDeployment): number => {
      const surge = deployment.spec!.strategy?.rollingUpdate?.maxSurge;
      expect(typeof surge).toBe('number');
      return Number(surge);
    };
    const api = r.one<IDeployment>('Deployment', 'combot-api');
    const pool = (workload: Workload): number => r.config(workload.template.spec!.containers[0]).database.poolSize;
    const worker = r.one<IDeployment>('Deployment', 'combot-worker');
    const migrate = r.workload('migrate');
    const job = r.one<IJob>('Job', migrate.name);
    const connections =
      pool(r.workload('api')) * (hpa.spec!.maxReplicas + surgeOf(api)) +
      pool(r.workload('worker')) * ((worker.spec!.replicas ?? 1) + surgeOf(worker)) +
      pool(migrate) * (job.spec!.parallelism ?? 1);
    expect(connections).toBeLessThanOrEqual(POSTGRES_CONNECTIONS);
  });

  it.each(OVERLAYS)(
    "%s: gives migration statements minutes, not the API's statement timeout, within the Job deadline",
    (name) => {
      const r = overlay(name);
      const migrate = r.workload('migrate');
      const job = r.one<IJob>('Job', migrate.name);
      const statementMs = r.config(migrate.template.spec!.containers[0]).database.statementTimeoutMs;
      const apiStatementMs = r.config(r.workload('api').template.spec!.containers[0]).database.statementTimeoutMs;
      expect(statementMs).toBeGreaterThanOrEqual(60_000);
      expect(statementMs).toBeGreaterThan(apiStatementMs);
      expect(statementMs).toBeLessThan(job.spec!.activeDeadlineSeconds! * 1000);
    },
  );
});

describe('kustomizations that kubectl 1.20 (kustomize v2.0.3, Debian bookworm) can render too', () => {
  // Fields that kustomize v2.0.3 knows. Newer ones (labels, patches, replicas, `envs`) fail there while a current
  // kubectl renders them, so this holds whatever kubectl the developer has.
  const KNOWN = new Set([
    'apiVersion',
    'kind',
    'namespace',
    'namePrefix',
    'nameSuffix',
    'commonLabels',
    'commonAnnotations',
    'resources',
    'bases',
    'images',
    'configMapGenerator',
    'secretGenerator',
    'generatorOptions',
    'patchesStrategicMerge',
    'patchesJson6902',
    'vars',
    'crds',
  ]);
  const GENERATOR_FIELDS = new Set(['name', 'namespace', 'behavior', 'literals', 'files', 'env']);

  function kustomizations(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) return kustomizations(full);
      return entry === 'kustomization.yaml' ? [full] : [];
    });
  }

  const files = [
    ...kustomizations(path.join(REPO_ROOT, 'deploy', 'k8s')),
    path.join(REPO_ROOT, 'studies', 'kustomization.yaml'),
  ];

  it.each(files.map((file) => [path.relative(REPO_ROOT, file), file]))('%s', (_name, file) => {
    const kustomization = parseYamlDocuments(repoFile(path.relative(REPO_ROOT, file)), file)[0] as Record<
      string,
      unknown
    >;
    expect(Object.keys(kustomization).filter((key) => !KNOWN.has(key))).toEqual([]);
    const dir = path.dirname(file);
    for (const resource of (kustomization.resources as string[] | undefined) ?? []) {
      expect({ resource, isFile: statSync(path.join(dir, resource)).isFile() }).toEqual({ resource, isFile: true });
    }
    for (const base of (kustomization.bases as string[] | undefined) ?? []) {
      expect(existsSync(path.join(dir, base, 'kustomization.yaml'))).toBe(true);
    }
    for (const generator of (kustomization.configMapGenerator as Record<string, unknown>[] | undefined) ?? []) {
      expect(Object.keys(generator).filter((key) => !GENERATOR_FIELDS.has(key))).toEqual([]);
    }
  });
});

describe('the combot-secrets Secret', () => {
  it('README lists exactly the keys secret.example.yaml holds, in its order', () => {
    const readme = repoFile('README.md');
    const listed =
      /The Secret `combot-secrets` is never rendered: `deploy\/k8s\/secret\.example\.yaml` shows its\s+keys \(([^)]*)\)/.exec(
        readme,
      );
    expect(listed).not.toBeNull();
    const keys = [...listed![1].matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]);
    expect(keys).toEqual(Object.keys(secretExample.stringData ?? {}));
  });
});
