import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { decodeCursor, encodeCursor, funnelOf, StudyPanelsService } from './study-panels.service';
import type { StepStatusRaw, StudyStatsRepository } from './study-stats.repository';

const arm = (brand: string, think: string, feel: string) => ({
  brand: brand as 'Basic' | 'Lulu',
  think_level: think as 'High' | 'Low',
  feel_level: feel as 'High' | 'Low',
});

function serviceWith(stats: Partial<StudyStatsRepository>): StudyPanelsService {
  return new StudyPanelsService(stats as StudyStatsRepository);
}

describe('StudyPanelsService', () => {
  it('counts a funnel: reached, answered, dropped and waiting per step', () => {
    const rows: Pick<StepStatusRaw, 'step' | 'status' | 'abandon_reason' | 'n'>[] = [
      { step: 0, status: 'abandoned', abandon_reason: 'idle', n: 2 },
      { step: 3, status: 'in_progress', abandon_reason: null, n: 1 },
      { step: 3, status: 'abandoned', abandon_reason: 'idle', n: 4 },
      { step: 7, status: 'completed', abandon_reason: null, n: 10 },
    ];
    const funnel = funnelOf(rows);
    expect(funnel.started).toBe(17);
    expect(funnel.completed).toBe(10);
    expect(
      funnel.steps.map((step) => [step.step, step.reached, step.answered, step.abandonedHere, step.waitingHere]),
    ).toEqual([
      [0, 17, 15, 2, 0],
      [1, 15, 15, 0, 0],
      [2, 15, 15, 0, 0],
      [3, 15, 10, 4, 1],
      [4, 10, 10, 0, 0],
      [5, 10, 10, 0, 0],
      [6, 10, 10, 0, 0],
    ]);
  });

  it('splits the drop-outs at each step by why they were abandoned, unrecorded ones apart', () => {
    const rows: Pick<StepStatusRaw, 'step' | 'status' | 'abandon_reason' | 'n'>[] = [
      { step: 0, status: 'abandoned', abandon_reason: 'idle', n: 2 },
      { step: 0, status: 'abandoned', abandon_reason: 'reset', n: 1 },
      { step: 3, status: 'abandoned', abandon_reason: 'erased', n: 3 },
      { step: 3, status: 'abandoned', abandon_reason: null, n: 4 },
      { step: 3, status: 'in_progress', abandon_reason: null, n: 5 },
      { step: 7, status: 'completed', abandon_reason: null, n: 10 },
    ];
    const funnel = funnelOf(rows);
    expect(funnel.steps.map((step) => [step.step, step.abandonedHere, step.abandonedBy])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((step) => [
        step,
        step === 0 ? 3 : step === 3 ? 7 : 0,
        {
          idle: step === 0 ? 2 : 0,
          reset: step === 0 ? 1 : 0,
          erased: step === 3 ? 3 : 0,
          unrecorded: step === 3 ? 4 : 0,
        },
      ]),
    );
  });

  it('lists all 8 arms, flags a scope whose arms drift more than one block apart, and who lags', async () => {
    const service = serviceWith({
      arms: () =>
        Promise.resolve({
          conversations: [
            { ...arm('Basic', 'High', 'High'), status: 'completed', origin: 'greeting', n: 4 },
            { ...arm('Basic', 'High', 'High'), status: 'completed', origin: 'no_greeting', n: 1 },
            { ...arm('Basic', 'High', 'High'), status: 'abandoned', origin: 'no_greeting', n: 1 },
            { ...arm('Lulu', 'Low', 'Low'), status: 'completed', origin: 'greeting', n: 2 },
          ],
          slots: [
            { scope: 'random', ...arm('Basic', 'High', 'High'), assigned: 6 },
            { scope: 'random', ...arm('Lulu', 'Low', 'Low'), assigned: 5 },
            { scope: 'Basic', ...arm('Basic', 'High', 'High'), assigned: 3 },
          ],
          scopes: [
            { scope: 'random', blocks: 6, free_slots: 37 },
            { scope: 'Basic', blocks: 3, free_slots: 9 },
            { scope: 'Lulu', blocks: 0, free_slots: 0 },
          ],
        }),
    });
    const panel = await service.arms();
    expect(panel.arms).toHaveLength(8);
    expect(panel.arms[0]).toMatchObject({ brand: 'Basic', started: 6, completed: 5, abandoned: 1, assigned: 9 });
    expect(panel.arms[7]).toMatchObject({ brand: 'Lulu', thinkLevel: 'Low', feelLevel: 'Low', completedBehind: 3 });
    expect(panel.arms[3]).toMatchObject({ started: 0, completed: 0, completedBehind: 5 });
    expect(panel.completedSpread).toBe(5);
    // Every origin counted, and how many of them started without the greeting.
    expect(panel.startedWithoutGreeting).toBe(2);
    expect(panel.scopes).toEqual([
      { scope: 'random', blocks: 6, freeSlots: 37, assignedMin: 0, assignedMax: 6, spread: 6, balanced: false },
      { scope: 'Basic', blocks: 3, freeSlots: 9, assignedMin: 0, assignedMax: 3, spread: 3, balanced: false },
    ]);
  });

  it('tests whether drop-out differs between arms over their ended conversations', async () => {
    const arms = ['Basic', 'Lulu'].flatMap((brand) =>
      ['High', 'Low'].flatMap((think) => ['High', 'Low'].map((feel) => arm(brand, think, feel))),
    );
    const service = serviceWith({
      arms: () =>
        Promise.resolve({
          // Every arm 30 completed and 10 abandoned, but think-Low × feel-Low loses 30; in-progress ones do not count.
          conversations: arms.flatMap((a) => [
            { ...a, status: 'completed' as const, origin: 'greeting' as const, n: 30 },
            {
              ...a,
              status: 'abandoned' as const,
              origin: 'greeting' as const,
              n: a.think_level === 'Low' && a.feel_level === 'Low' ? 30 : 10,
            },
            { ...a, status: 'in_progress' as const, origin: 'greeting' as const, n: 7 },
          ]),
          slots: [],
          scopes: [],
        }),
    });
    const { attrition } = await service.arms();
    // 360 ended, 120 abandoned: expected 26.67 / 13.33 in an arm of 40, 40 / 20 in an arm of 60;
    // χ² = 6 × (0.4167 + 0.8333) + 2 × (2.5 + 5) = 22.5, p from the closed form for 7 degrees of freedom.
    expect(attrition).toMatchObject({ verdict: 'tested', ended: 360, abandoned: 120, arms: 8, degreesOfFreedom: 7 });
    expect(attrition.chiSquare).toBeCloseTo(22.5, 9);
    expect(attrition.pValue).toBeCloseTo(0.0020820141631346747, 12);
  });

  it('puts labels per arm and the top score into 0.05 buckets', async () => {
    const service = serviceWith({
      labelsByArm: () =>
        Promise.resolve([
          { ...arm('Basic', 'High', 'High'), label: 'A', bucket: 20, n: 3 },
          { ...arm('Basic', 'High', 'High'), label: null, bucket: null, n: 2 },
          { ...arm('Lulu', 'High', 'Low'), label: 'Other', bucket: 6, n: 1 },
        ]),
    });
    const panel = await service.labels();
    expect(panel.totals).toEqual({ A: 3, B: 0, C: 0, Other: 1, unclassified: 2 });
    expect(panel.arms[0].counts).toEqual({ A: 3, B: 0, C: 0, Other: 0, unclassified: 2 });
    expect(panel.topScore).toHaveLength(20);
    expect(panel.topScore[19]).toEqual({ from: 0.95, to: 1, counts: { A: 3, B: 0, C: 0, Other: 0 }, total: 3 });
    expect(panel.topScore[5]).toMatchObject({ from: 0.25, to: 0.3, total: 1 });
  });

  it('rounds quartiles to whole milliseconds and keeps the overall row apart', async () => {
    const service = serviceWith({
      durations: () =>
        Promise.resolve([
          { ...arm('Basic', 'Low', 'High'), n: 4, quartiles: [1000.25, 2000.5, 3000.75] },
          { brand: null, think_level: null, feel_level: null, n: 4, quartiles: [1000.25, 2000.5, 3000.75] },
        ]),
    });
    const panel = await service.durations();
    expect(panel.overall).toEqual({ completed: 4, q1Ms: 1000, medianMs: 2001, q3Ms: 3001 });
    expect(panel.arms[2]).toMatchObject({ brand: 'Basic', thinkLevel: 'Low', feelLevel: 'High', completed: 4 });
    expect(panel.arms[0]).toMatchObject({ completed: 0, medianMs: null });
  });

  it('encodes keyset cursors opaquely and refuses ones it did not make', () => {
    const cursor = { createdAt: '2025-01-31T12:00:00.123456Z', id: '0b7b6b8e-0f2a-4c1d-9e8f-1a2b3c4d5e6f' };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    const forged = (text: string): string => Buffer.from(text).toString('base64url');
    const id = cursor.id;
    for (const bad of [
      '',
      'not-a-cursor',
      forged('2025-01-31|x'),
      // Shaped like a cursor, but no time PostgreSQL can read, or no UUID: the database would refuse them (a 500).
      forged(`2026-13-45T99:99:99.000000Z|${id}`),
      forged(`2025-02-30T12:00:00.000000Z|${id}`),
      forged(`0000-01-01T00:00:00.000000Z|${id}`),
      forged('2025-01-31T12:00:00.123456Z|------------------------------------'),
      forged('2025-01-31T12:00:00.123456Z|0b7b6b8e0f2a-4c1d-9e8f-1a2b3c4d-5e6f'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
      expect(() => decodeCursor(bad)).toThrow(
        expect.objectContaining({
          code: ErrorCode.ValidationFailed,
          details: ['cursor must be a nextCursor this endpoint gave'],
        }),
      );
    }
  });

  it('answers CHAT.CONVERSATION_NOT_FOUND for an unknown conversation', async () => {
    const service = serviceWith({ transcript: () => Promise.resolve(undefined) });
    await expect(service.transcript('0b7b6b8e-0f2a-4c1d-9e8f-1a2b3c4d5e6f')).rejects.toMatchObject({
      code: ErrorCode.ChatConversationNotFound,
    });
  });

  describe('origin', () => {
    const empty = {
      arms: jest.fn().mockResolvedValue({ conversations: [], slots: [], scopes: [] }),
      stepsByArm: jest.fn().mockResolvedValue([]),
      labelsByArm: jest.fn().mockResolvedValue([]),
      timeline: jest.fn().mockResolvedValue([]),
      timeZoneNames: () => Promise.resolve(new Set(['UTC'])),
      durations: jest.fn().mockResolvedValue([]),
    };
    const service = serviceWith(empty);

    it.each(['greeting', 'no_greeting', null] as const)(
      'asks each study panel’s statement for the conversations of origin %p and says which it counted',
      async (origin) => {
        await expect(service.arms(origin)).resolves.toMatchObject({ origin });
        expect(empty.arms).toHaveBeenLastCalledWith(expect.any(Array), expect.any(Array), expect.any(Array), origin);
        await expect(service.funnel(true, origin)).resolves.toMatchObject({ origin });
        expect(empty.stepsByArm).toHaveBeenLastCalledWith(expect.any(Array), origin);
        await expect(service.labels(origin)).resolves.toMatchObject({ origin });
        expect(empty.labelsByArm).toHaveBeenLastCalledWith(expect.any(Array), origin);
        await expect(service.timeline('day', undefined, 'UTC', origin)).resolves.toMatchObject({ origin });
        expect(empty.timeline).toHaveBeenLastCalledWith('day', null, 1000, 'UTC', null, origin);
        await expect(service.durations(origin)).resolves.toMatchObject({ origin });
        expect(empty.durations).toHaveBeenLastCalledWith(origin);
      },
    );

    it('counts every conversation when no origin is given', async () => {
      await expect(service.arms()).resolves.toMatchObject({ origin: null });
      expect(empty.arms).toHaveBeenLastCalledWith(expect.any(Array), expect.any(Array), expect.any(Array), null);
    });
  });

  describe('timeline', () => {
    const zones = new Set(['UTC', 'Europe/Berlin']);
    const at = new Date('2026-10-24T22:00:00Z');

    it('asks for the buckets of the zone given and names it; UTC when none is', async () => {
      const timeline = jest.fn().mockResolvedValue([{ at, started: 2, completed: 1 }]);
      const service = serviceWith({ timeline, timeZoneNames: () => Promise.resolve(zones) });
      await expect(service.timeline('day', '2026-10-24T22:00:00Z', 'Europe/Berlin')).resolves.toMatchObject({
        bucket: 'day',
        timeZone: 'Europe/Berlin',
        since: '2026-10-24T22:00:00.000Z',
        points: [{ at: '2026-10-24T22:00:00.000Z', started: 2, completed: 1 }],
      });
      expect(timeline).toHaveBeenLastCalledWith('day', at, 1000, 'Europe/Berlin', null, null);
      await expect(service.timeline('hour', undefined)).resolves.toMatchObject({ timeZone: 'UTC' });
      expect(timeline).toHaveBeenLastCalledWith('hour', expect.any(Date), 1000, 'UTC', null, null);
    });

    it('refuses a zone PostgreSQL does not know with HTTP.VALIDATION_FAILED, before any count', async () => {
      const timeline = jest.fn();
      const service = serviceWith({ timeline, timeZoneNames: () => Promise.resolve(zones) });
      for (const tz of ['Mars/Olympus_Mons', 'europe/berlin']) {
        const refusal = await service.timeline('day', undefined, tz).catch((error: unknown) => error);
        expect(refusal).toBeInstanceOf(AppError);
        expect(refusal).toMatchObject({
          code: ErrorCode.ValidationFailed,
          message: expect.stringContaining('tz must be an IANA time zone name PostgreSQL knows') as unknown,
          details: [expect.stringContaining('tz must be') as unknown],
        });
      }
      expect(timeline).not.toHaveBeenCalled();
    });
  });
});
