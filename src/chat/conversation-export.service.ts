import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ConversationStatus } from './chat.types';

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportFilter {
  format: ExportFormat;
  status?: ConversationStatus;
  since?: Date;
}

const PAGE = 500;

/** Every stored column, in export order (the transcript follows as `turns`). */
const COLUMNS = [
  'id',
  'entry_point',
  'brand',
  'think_level',
  'feel_level',
  'status',
  'step',
  'label',
  'score_a',
  'score_b',
  'score_c',
  'score_other',
  'model_id',
  'model_revision',
  'content_version',
  'email',
  'client_timer_seconds',
  'duration_ms',
  'created_at',
  'updated_at',
  'last_activity_at',
  'completed_at',
] as const;

interface ExportRow extends Record<(typeof COLUMNS)[number], unknown> {
  turns: {
    sender: string;
    kind: string;
    step: number;
    text: string;
    message_type: string | null;
    created_at: string;
  }[];
}

function cellText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return '';
}

function csvCell(value: unknown): string {
  const text = cellText(value);
  // Quote always; a leading = + - @ is defused so a spreadsheet never runs participant text as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

export function parseExportFilter(format: unknown, status: unknown, since: unknown): ExportFilter {
  if (format !== 'csv' && format !== 'jsonl') {
    throw new AppError(ErrorCode.ValidationFailed, 'format must be csv or jsonl.', HttpStatus.BAD_REQUEST);
  }
  const statuses = Object.values(ConversationStatus) as string[];
  if (status !== undefined && status !== '' && !(typeof status === 'string' && statuses.includes(status))) {
    throw new AppError(
      ErrorCode.ValidationFailed,
      `status must be one of ${statuses.join(', ')}.`,
      HttpStatus.BAD_REQUEST,
    );
  }
  let sinceDate: Date | undefined;
  if (since !== undefined && since !== '') {
    sinceDate = new Date(typeof since === 'string' || typeof since === 'number' ? since : NaN);
    if (Number.isNaN(sinceDate.getTime())) {
      throw new AppError(ErrorCode.ValidationFailed, 'since must be an ISO 8601 date or time.', HttpStatus.BAD_REQUEST);
    }
  }
  return {
    format,
    ...(status ? { status: status as ConversationStatus } : {}),
    ...(sinceDate ? { since: sinceDate } : {}),
  };
}

/** Researchers' export: conversations with their condition, outcome and transcript, page by page. */
@Injectable()
export class ConversationExportService {
  constructor(private readonly dataSource: DataSource) {}

  /** Yields the export line by line (CSV header first), reading the database in keyset pages. */
  async *lines(filter: ExportFilter): AsyncGenerator<string> {
    if (filter.format === 'csv') yield `${[...COLUMNS, 'turns'].join(',')}\n`;
    let after: { createdAt: Date; id: string } | null = null;
    for (;;) {
      const page = await this.page(filter, after);
      for (const row of page) {
        yield filter.format === 'csv'
          ? `${[...COLUMNS.map((column) => csvCell(row[column])), csvCell(row.turns)].join(',')}\n`
          : `${JSON.stringify(row)}\n`;
      }
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      after = { createdAt: last.created_at as Date, id: last.id as string };
    }
  }

  private async page(filter: ExportFilter, after: { createdAt: Date; id: string } | null): Promise<ExportRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) where.push(`c.status = $${params.push(filter.status)}`);
    if (filter.since) where.push(`c.created_at >= $${params.push(filter.since)}`);
    if (after) where.push(`(c.created_at, c.id) > ($${params.push(after.createdAt)}, $${params.push(after.id)})`);
    return this.dataSource.query<ExportRow[]>(
      `SELECT ${COLUMNS.map((column) => `c.${column}`).join(', ')},
              COALESCE((SELECT json_agg(json_build_object('sender', t.sender, 'kind', t.kind, 'step', t.step,
                         'text', t.text, 'message_type', t.message_type, 'created_at', t.created_at) ORDER BY t.step, t.id)
                        FROM conversation_turn t WHERE t.conversation_id = c.id), '[]'::json) AS turns
         FROM conversation c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY c.created_at, c.id
        LIMIT ${PAGE}`,
      params,
    );
  }
}
