import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { ConversationStatus } from './chat.types';
import { ConversationRepository, EXPORT_COLUMNS, type ExportCursor } from './conversation.repository';

export type ExportFormat = 'csv' | 'jsonl';

export interface ExportFilter {
  format: ExportFormat;
  status?: ConversationStatus;
  since?: Date;
}

const PAGE = 500;

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
    throw new AppError(ErrorCode.ValidationFailed, 'format must be csv or jsonl.');
  }
  const statuses = Object.values(ConversationStatus) as string[];
  if (status !== undefined && status !== '' && !(typeof status === 'string' && statuses.includes(status))) {
    throw new AppError(ErrorCode.ValidationFailed, `status must be one of ${statuses.join(', ')}.`);
  }
  let sinceDate: Date | undefined;
  if (since !== undefined && since !== '') {
    sinceDate = new Date(typeof since === 'string' || typeof since === 'number' ? since : NaN);
    if (Number.isNaN(sinceDate.getTime())) {
      throw new AppError(ErrorCode.ValidationFailed, 'since must be an ISO 8601 date or time.');
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
  constructor(private readonly conversations: ConversationRepository) {}

  /** Yields the export line by line (CSV header first), reading the database in keyset pages. */
  async *lines(filter: ExportFilter): AsyncGenerator<string> {
    if (filter.format === 'csv') yield `${[...EXPORT_COLUMNS, 'turns'].join(',')}\n`;
    let after: ExportCursor | null = null;
    for (;;) {
      const page = await this.conversations.exportPage(filter, after, PAGE);
      for (const row of page) {
        yield filter.format === 'csv'
          ? `${[...EXPORT_COLUMNS.map((column) => csvCell(row[column])), csvCell(row.turns)].join(',')}\n`
          : `${JSON.stringify(row)}\n`;
      }
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      after = { createdAt: last.created_at as Date, id: last.id as string };
    }
  }
}
