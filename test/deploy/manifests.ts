import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as appsV1 from 'kubernetes-models/apps/v1';
import * as autoscalingV2 from 'kubernetes-models/autoscaling/v2';
import * as batchV1 from 'kubernetes-models/batch/v1';
import * as networkingV1 from 'kubernetes-models/networking.k8s.io/v1';
import * as policyV1 from 'kubernetes-models/policy/v1';
import * as coreV1 from 'kubernetes-models/v1';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/**
 * Helpers for the deploy specs: render the kustomize overlays and check objects against Kubernetes' schemas.
 * kubernetes-models stays on 4.x: 5.x ships as ES modules only and declares Node >= 22, which jest here cannot load.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export function repoFile(relative: string): string {
  return readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/** Every variable .env.example documents (commented-out ones too), as the config spec reads it. */
export function envExampleKeys(): Set<string> {
  return new Set([...repoFile('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
}

/** Every document of a YAML stream; a syntax error fails. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length > 0) throw new Error(`${source}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS() as unknown;
  });
}

function kubectl(args: string[]): string {
  try {
    return execFileSync('kubectl', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      throw new Error(
        'kubectl is not installed: .ci/run installs Debian bookworm kubernetes-client when it is missing',
      );
    }
    throw new Error(`kubectl ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`);
  }
}

/** `v1.20.2` or `v1.32.4`: the client the overlays were rendered with (its embedded kustomize differs a lot). */
export function kubectlVersion(): string {
  return /v\d+\.\d+\.\d+[\w.+-]*/.exec(kubectl(['version', '--client']))?.[0] ?? 'unknown';
}

/** `kubectl kustomize <dir>`: every rendered object. Deprecation warnings on stderr are not failures. */
export function renderKustomization(relativeDir: string): K8sObject[] {
  return parseYamlDocuments(kubectl(['kustomize', relativeDir]), relativeDir).filter(
    (object): object is K8sObject => object !== null,
  );
}

const MODELS: Record<string, Record<string, unknown>> = {
  v1: coreV1,
  'apps/v1': appsV1,
  'autoscaling/v2': autoscalingV2,
  'batch/v1': batchV1,
  'networking.k8s.io/v1': networkingV1,
  'policy/v1': policyV1,
};

type ModelClass = new (data: object) => { validate(): void };

/** JSON-schema validation by kubernetes-models (required fields, types, formats); throws naming the fields. */
export function validateAgainstSchema(object: K8sObject): void {
  const Model = MODELS[object.apiVersion]?.[object.kind] as ModelClass | undefined;
  if (!Model) throw new Error(`no Kubernetes model for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/**
 * Fields the Kubernetes API does not know (a misspelt `livenesProbe` is silently dropped by older servers).
 * kubernetes-models' JSON schemas allow extra properties, so the same package's TypeScript interfaces do this
 * part: each object is type-checked as an object literal, where TypeScript rejects properties its type lacks.
 * Returns one message per object with a problem (TypeScript reports the first unknown field of each).
 */
export function unknownFieldProblems(objects: K8sObject[]): string[] {
  const file = path.join(REPO_ROOT, 'test', 'deploy', 'rendered-manifests.generated.ts');
  const imports = objects.map(
    (object, index) =>
      `import type { I${object.kind} as T${index} } from 'kubernetes-models/${object.apiVersion}/${object.kind}';`,
  );
  const declarations = objects.map((object, index) => `export const o${index}: T${index} = ${JSON.stringify(object)};`);
  const source = [...imports, ...declarations].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es5.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    if (diagnostic.file?.fileName !== file || diagnostic.start === undefined) return message;
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line;
    const object = objects[line < imports.length ? line : line - imports.length];
    return `${object.kind}/${object.metadata.name}: ${message}`;
  });
}

/** Kubernetes label-selector semantics (matchLabels and matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selects(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key]);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key]);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
      default:
        throw new Error(`unknown selector operator ${operator}`);
    }
  });
  return byLabel && byExpression;
}

/** A memory quantity in MiB (the manifests use Mi and Gi). */
export function mebibytes(quantity: string | number | undefined): number {
  const match = /^(\d+)(Mi|Gi)$/.exec(String(quantity));
  if (!match) throw new Error(`memory quantity ${String(quantity)}: write it in Mi or Gi`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
}
