import { Logger } from '@nestjs/common';
import * as clusterProcess from '../common/cluster-process';
import type { ProcessRole } from '../config/process-role';
import type { ConversationRepository } from './conversation.repository';
import type { StudyContent } from './study-content.provider';
import { otherVersionsWarning, StudyVersionCheck } from './study-version.check';

describe('StudyVersionCheck', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  const check = (
    others: () => Promise<{ version: string; count: number }[]>,
    role: ProcessRole = 'api',
  ): Promise<void> =>
    new StudyVersionCheck(
      { inProgressOfOtherVersions: others } as unknown as ConversationRepository,
      { version: 'v2+bbbbbbbb' } as StudyContent,
      role,
    ).run();

  it('warns once, with the count per version, when conversations in progress began under another version', async () => {
    const others = [
      { version: 'v1+aaaaaaaa', count: 12 },
      { version: 'v0+cccccccc', count: 1 },
    ];
    const asked: string[] = [];
    await check((...args: unknown[]) => {
      asked.push(String(args[0]));
      return Promise.resolve(others);
    });
    expect(asked).toEqual(['v2+bbbbbbbb']);
    expect(warnings).toEqual([otherVersionsWarning('v2+bbbbbbbb', others)]);
    expect(warnings[0]).toMatch(
      /^STUDY CONTENT: 13 conversation\(s\) in progress .*\(v1\+aaaaaaaa: 12, v0\+cccccccc: 1\)/,
    );
    expect(warnings[0]).toContain("this file's texts (v2+bbbbbbbb)");
  });

  it('says nothing when every conversation in progress began under this version', async () => {
    await check(() => Promise.resolve([]));
    expect(warnings).toEqual([]);
  });

  it('neither warns nor throws when the table cannot be read (the probes report the database)', async () => {
    await expect(check(() => Promise.reject(new Error('connection refused')))).resolves.toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('warns in the first HTTP process of a cluster only: the others would repeat the same line', async () => {
    const others = jest.fn(() => Promise.resolve([{ version: 'v1', count: 1 }]));
    jest.spyOn(clusterProcess, 'isFirstProcess').mockReturnValue(false);
    await check(others);
    expect(others).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });

  it('runs in the API only: the worker and the CLI serve no turns', async () => {
    const others = jest.fn(() => Promise.resolve([{ version: 'v1', count: 1 }]));
    await check(others, 'worker');
    await check(others, 'cli');
    expect(others).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });
});
