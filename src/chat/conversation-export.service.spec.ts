import { AppConfig } from '../config/app-config';
import type { AdminAuditRepository } from './admin-audit.repository';
import type { ConversationRepository, ExportRow } from './conversation.repository';
import { ConversationExportService, csvCell, jsonLine, pseudonymisedRow } from './conversation-export.service';
import { pseudonymOf } from './pseudonym';

describe('jsonLine', () => {
  it('escapes the line and paragraph separators, so no tool that splits on Unicode line breaks cuts a record', () => {
    const text = 'one\u2028two\u2029three\u0085four';
    const line = jsonLine({ text });
    expect(line).toBe('{"text":"one\\u2028two\\u2029three\\u0085four"}\n');
    expect(line.trimEnd().split(/\r\n|[\n\r\u2028\u2029\u0085]/)).toHaveLength(1);
    expect(JSON.parse(line)).toEqual({ text });
  });
});

describe('csvCell', () => {
  it('keeps a negative number a number', () => {
    expect(csvCell(-5)).toBe('"-5"');
    expect(csvCell(-1e308)).toBe('"-1e+308"');
    expect(csvCell(-0.25)).toBe('"-0.25"');
  });

  it('writes booleans and dates as they are', () => {
    expect(csvCell(false)).toBe('"false"');
    expect(csvCell(new Date('2024-03-01T10:00:00.000Z'))).toBe('"2024-03-01T10:00:00.000Z"');
    // Years before 0 are written with a leading minus sign.
    expect(csvCell(new Date('-000001-01-01T00:00:00.000Z'))).toBe('"-000001-01-01T00:00:00.000Z"');
  });

  it('defuses text that a spreadsheet would run as a formula, even when it looks like a number', () => {
    expect(csvCell('-5')).toBe(`"'-5"`);
    expect(csvCell('=1+2')).toBe(`"'=1+2"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
  });

  it('also marks text that starts with the mark itself, so dropping one leading quote always gives the value back', () => {
    expect(csvCell("'+49@pilot.test")).toBe(`"''+49@pilot.test"`);
    expect(csvCell('+49@pilot.test')).toBe(`"'+49@pilot.test"`);
    expect(csvCell("it's")).toBe(`"it's"`);
  });

  it('leaves other text alone and doubles its quotes', () => {
    expect(csvCell('my "parcel" -5')).toBe('"my ""parcel"" -5"');
  });

  it('writes objects as JSON, which never starts a formula', () => {
    expect(csvCell([{ text: '=1+2' }])).toBe('"[{""text"":""=1+2""}]"');
  });

  it('writes null and undefined as an empty cell', () => {
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
  });
});

describe('pseudonymisedRow', () => {
  const KEY = 'study-key-0123456789';
  const turn = (text: string): ExportRow['turns'][number] => ({
    sender: 'participant',
    kind: 'message',
    step: 6,
    text,
    message_type: null,
    created_at: '2026-12-01T00:00:00.000Z',
  });

  it('gives the e-mail field and the participant’s address in the transcript one pseudonym, text typed before it kept', () => {
    const row = {
      email: 'Jane.Doe@example.org',
      turns: [turn('jane.doe@example.org'), turn("it's 'jane.doe@example.org'")],
    };
    const pseudonym = pseudonymOf('jane.doe@example.org', KEY);
    const out = pseudonymisedRow(row as unknown as ExportRow, KEY);
    expect(out.email).toBe(pseudonym);
    expect(out.turns.map(({ text }) => text)).toEqual([pseudonym, `it's '${pseudonym}'`]);
  });

  it('pseudonymises an address without the quote typed before it when the conversation has no e-mail', () => {
    const row = { email: null, turns: [turn("'jane.doe@example.org")] };
    const out = pseudonymisedRow(row as unknown as ExportRow, KEY);
    expect(out.email).toBeNull();
    expect(out.turns[0].text).toBe(`'${pseudonymOf('jane.doe@example.org', KEY)}`);
  });
});

describe('ConversationExportService.lines', () => {
  const serviceReading = (exportPage: () => Promise<ExportRow[]>) =>
    new ConversationExportService(
      new AppConfig({}),
      { exportPage } as unknown as ConversationRepository,
      { record: () => Promise.resolve() } as unknown as AdminAuditRepository,
    );

  it('sends the CSV header only once the database has answered: an unreadable one is an error, not a header', async () => {
    const lines = serviceReading(() => Promise.reject(new Error('relation "conversation" does not exist'))).lines(
      { format: 'csv' },
      'cli',
    );
    await expect(lines.next()).rejects.toThrow(/does not exist/);
  });

  it('sends the header of an empty export', async () => {
    const lines: string[] = [];
    for await (const line of serviceReading(() => Promise.resolve([])).lines({ format: 'csv' }, 'cli'))
      lines.push(line);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^id,/);
  });
});
