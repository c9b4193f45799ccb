/**
 * Writing a transformers.js model folder, for both toolkits: content hashes (a model's revision is the hash of its
 * ONNX file), files written into a staging folder beside the target, and a swap that replaces the target only once
 * everything is written, so an interrupted run never leaves a half-written model that looks complete.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Relative path (`/`-separated) → content. */
export type FolderFiles = Record<string, Uint8Array | string>;

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** First 12 hex digits of sha256: config.json's `combot.revision`, which the app's result cache keys on. */
export function contentRevision(bytes: Uint8Array): string {
  return sha256Hex(bytes).slice(0, 12);
}

/** Indented JSON with a final newline, as every .json file of a model folder is written. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** id2label / label2id of a config.json: transformers.js names a pipeline's scores by them. */
export function labelMaps(labels: readonly string[]): {
  id2label: Record<string, string>;
  label2id: Record<string, number>;
} {
  return {
    id2label: Object.fromEntries(labels.map((label, id) => [String(id), label])),
    label2id: Object.fromEntries(labels.map((label, id) => [label, id])),
  };
}

/** Writes `files` below `dir`, creating sub-folders; returns each file's size in bytes. */
export function writeFiles(dir: string, files: FolderFiles): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const [file, content] of Object.entries(files)) {
    const path = join(dir, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    sizes[file] = statSync(path).size;
  }
  return sizes;
}

/** An empty `<target>.staging` folder, where a model folder is written before swapInModelDirectory. */
export function freshStagingDir(target: string): string {
  const staging = `${target}.staging`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/**
 * Replaces `target` by the freshly written `staging` directory. Refuses to delete a non-empty target that is not a
 * model directory written by these tools (its config.json has a `combot` section): guards against `--out` pointing
 * somewhere wrong.
 */
export function swapInModelDirectory(staging: string, target: string): void {
  if (existsSync(target)) {
    const entries = readdirSync(target);
    if (entries.length > 0) {
      const configPath = join(target, 'config.json');
      const ours = existsSync(configPath) && readFileSync(configPath, 'utf8').includes('"combot"');
      if (!ours) throw new Error(`refusing to replace ${target}: not empty and not a Combot model directory`);
    }
    rmSync(target, { recursive: true, force: true });
  }
  renameSync(staging, target);
}
