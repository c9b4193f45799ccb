import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentRevision, freshStagingDir, labelMaps, swapInModelDirectory, writeFiles } from './model-folder';

describe('model folder', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'combot-model-folder-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes files into sub-folders of an emptied staging folder and reports their sizes', () => {
    mkdirSync(join(root, 'model.staging'));
    writeFileSync(join(root, 'model.staging', 'left-over'), 'x');
    const staging = freshStagingDir(join(root, 'model'));
    expect(staging).toBe(join(root, 'model.staging'));
    expect(writeFiles(staging, { 'onnx/model.onnx': Uint8Array.of(1, 2, 3), 'config.json': 'é' })).toEqual({
      'onnx/model.onnx': 3,
      'config.json': 2,
    });
    expect(existsSync(join(staging, 'left-over'))).toBe(false);
    expect(readFileSync(join(staging, 'onnx', 'model.onnx'))).toEqual(Buffer.of(1, 2, 3));
  });

  it('takes the first 12 hex digits of sha256 as a revision, and maps labels both ways', () => {
    expect(contentRevision(new Uint8Array(0))).toBe('e3b0c44298fc');
    expect(labelMaps(['A', 'Other'])).toEqual({ id2label: { '0': 'A', '1': 'Other' }, label2id: { A: 0, Other: 1 } });
  });

  describe('swapInModelDirectory', () => {
    it('replaces a previous model directory', () => {
      const target = join(root, 'model');
      const staging = join(root, 'model.staging');
      mkdirSync(target);
      writeFileSync(join(target, 'config.json'), '{"combot":{}}');
      writeFileSync(join(target, 'stale.onnx'), '');
      mkdirSync(staging);
      writeFileSync(join(staging, 'config.json'), '{"combot":{"revision":"new"}}');
      swapInModelDirectory(staging, target);
      expect(readFileSync(join(target, 'config.json'), 'utf8')).toMatch(/new/);
      expect(existsSync(join(target, 'stale.onnx'))).toBe(false);
      expect(existsSync(staging)).toBe(false);
    });

    it('refuses to delete a non-empty directory that is not a Combot model', () => {
      const target = join(root, 'precious');
      mkdirSync(target);
      writeFileSync(join(target, 'notes.txt'), 'keep me');
      mkdirSync(join(root, 'staging'));
      expect(() => swapInModelDirectory(join(root, 'staging'), target)).toThrow(/refusing/);
      expect(existsSync(join(target, 'notes.txt'))).toBe(true);
    });
  });
});
