import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { sha256Hex } from '../model-folder';
import { Rng, shuffleInPlace } from '../seeded-random';

/** Class order is the model's output order: id2label {"0":"A","1":"B","2":"C","3":"Other"}. */
export const LABELS = ['A', 'B', 'C', 'Other'] as const;
export type ComplaintLabel = (typeof LABELS)[number];

/** `project` for the repository's own rows, else the open dataset's file name (clinc150, bitext, hint3). */
export const PROJECT_ORIGIN = 'project';

export interface LabelledText {
  text: string;
  label: ComplaintLabel;
  origin: string;
}

export interface DataFileInfo {
  path: string;
  origin: string;
  rows: number;
  sha256: string;
  mtimeMs: number;
}

export interface LoadedTrainingData {
  rows: LabelledText[];
  files: DataFileInfo[];
  duplicatesDropped: number;
  conflictsDropped: number;
  sharedOtherAvailable: number;
  sharedOtherKept: number;
}

export interface LoadTrainingDataOptions {
  /** Directory of the project's own `*.jsonl` rows (required, must hold at least one row). */
  dataDir: string;
  /** Directory of the open-data `*.jsonl` files; null to skip; missing directory is logged and skipped. */
  sharedDir: string | null;
  /** Keep at most this many open-data `Other` rows (seeded sample): they are ~90 % of the open data. */
  maxSharedOther: number;
  rng: Rng;
  log: (line: string) => void;
}

export function labelIndex(label: ComplaintLabel): number {
  return LABELS.indexOf(label);
}

function isLabel(value: unknown): value is ComplaintLabel {
  return typeof value === 'string' && (LABELS as readonly string[]).includes(value);
}

/** Reads one JSONL file; a malformed line or unknown label fails loudly with file:line (a data bug, not noise). */
export function readJsonlFile(path: string, origin: string): LabelledText[] {
  const rows: LabelledText[] = [];
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new Error(`${path}:${index + 1}: invalid JSON (${(error as Error).message})`);
    }
    const record = parsed as { text?: unknown; label?: unknown };
    if (typeof record.text !== 'string') throw new Error(`${path}:${index + 1}: "text" must be a string`);
    if (!isLabel(record.label)) throw new Error(`${path}:${index + 1}: unknown label ${JSON.stringify(record.label)}`);
    const text = record.text.trim();
    if (text !== '') rows.push({ text, label: record.label, origin });
  });
  return rows;
}

function listJsonl(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(dir, name));
}

function describeFile(path: string, origin: string, rows: number): DataFileInfo {
  return {
    path,
    origin,
    rows,
    sha256: sha256Hex(readFileSync(path)),
    mtimeMs: statSync(path).mtimeMs,
  };
}

/** Key for duplicate detection: case, Unicode form and spacing differences do not make a new example. */
export function dedupeKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Drops exact duplicates (first occurrence wins) and texts labelled differently. Project rows come first and win
 * over open data (they were labelled for this task); a contradiction inside one side drops every copy.
 */
export function dedupeRows(rows: LabelledText[]): { rows: LabelledText[]; duplicates: number; conflicts: number } {
  const kept = new Map<string, LabelledText>();
  const conflicted = new Set<string>();
  let duplicates = 0;
  for (const row of rows) {
    const key = dedupeKey(row.text);
    const existing = kept.get(key);
    if (!existing) {
      kept.set(key, row);
      continue;
    }
    duplicates++;
    if (existing.label === row.label) continue;
    const existingIsProject = existing.origin === PROJECT_ORIGIN;
    const rowIsProject = row.origin === PROJECT_ORIGIN;
    if (existingIsProject !== rowIsProject) continue; // the project row is already the one kept
    conflicted.add(key);
  }
  const result: LabelledText[] = [];
  let conflicts = 0;
  for (const [key, row] of kept) {
    if (conflicted.has(key)) conflicts++;
    else result.push(row);
  }
  return { rows: result, duplicates, conflicts };
}

/** Loads project rows (always) and open data (when present), dedupes, and subsamples open-data `Other`. */
export function loadTrainingData(options: LoadTrainingDataOptions): LoadedTrainingData {
  const { dataDir, sharedDir, log } = options;
  if (!existsSync(dataDir)) throw new Error(`training data directory not found: ${dataDir}`);
  const files: DataFileInfo[] = [];
  const projectRows: LabelledText[] = [];
  for (const path of listJsonl(dataDir)) {
    const rows = readJsonlFile(path, PROJECT_ORIGIN);
    files.push(describeFile(path, PROJECT_ORIGIN, rows.length));
    projectRows.push(...rows);
  }
  if (projectRows.length === 0) throw new Error(`no rows in ${dataDir}/*.jsonl`);

  const sharedRows: LabelledText[] = [];
  if (sharedDir === null) {
    log('open data: disabled (--no-shared)');
  } else if (!existsSync(sharedDir)) {
    log(`open data: ${sharedDir} not found, training on project rows only`);
  } else {
    for (const path of listJsonl(sharedDir)) {
      const origin = basename(path, '.jsonl');
      const rows = readJsonlFile(path, origin);
      files.push(describeFile(path, origin, rows.length));
      sharedRows.push(...rows);
    }
    if (sharedRows.length === 0) log(`open data: no *.jsonl in ${sharedDir}`);
  }

  const deduped = dedupeRows([...projectRows, ...sharedRows]);
  const sharedOther = deduped.rows.filter((row) => row.origin !== PROJECT_ORIGIN && row.label === 'Other');
  const keptOther = new Set(shuffleInPlace([...sharedOther], options.rng).slice(0, options.maxSharedOther));
  const rows = deduped.rows.filter(
    (row) => row.origin === PROJECT_ORIGIN || row.label !== 'Other' || keptOther.has(row),
  );
  return {
    rows,
    files,
    duplicatesDropped: deduped.duplicates,
    conflictsDropped: deduped.conflicts,
    sharedOtherAvailable: sharedOther.length,
    sharedOtherKept: keptOther.size,
  };
}

/**
 * Seeded stratified split: each stratum (e.g. label + origin) sends round(n × fraction) rows to the second part,
 * so small classes and the project's own rows are represented in the held-out set in proportion.
 */
export function stratifiedSplit<T>(
  items: readonly T[],
  fraction: number,
  rng: Rng,
  stratumOf: (item: T) => string,
): { first: T[]; second: T[] } {
  const strata = new Map<string, T[]>();
  for (const item of items) {
    const key = stratumOf(item);
    const group = strata.get(key);
    if (group) group.push(item);
    else strata.set(key, [item]);
  }
  const first: T[] = [];
  const second: T[] = [];
  for (const key of [...strata.keys()].sort()) {
    const group = shuffleInPlace([...(strata.get(key) ?? [])], rng);
    const take = group.length < 2 ? 0 : Math.max(1, Math.round(group.length * fraction));
    second.push(...group.slice(0, take));
    first.push(...group.slice(take));
  }
  return { first, second };
}

export function countByLabel(rows: readonly { label: ComplaintLabel }[]): Record<ComplaintLabel, number> {
  const counts: Record<ComplaintLabel, number> = { A: 0, B: 0, C: 0, Other: 0 };
  for (const row of rows) counts[row.label]++;
  return counts;
}
