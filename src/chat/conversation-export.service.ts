import { Injectable } from '@nestjs/common';
import { validatedInstance } from '../common/validation';
import { ConversationExportQueryDto } from './conversation-export-query.dto';
import { ConversationRepository, EXPORT_COLUMNS, type ExportCursor } from './conversation.repository';

/** The validated query with `since` read as an instant. */
export type ExportFilter = Omit<ConversationExportQueryDto, 'since'> & { since?: Date };

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

/** The validated query as the export reads it: `since` as an instant, absent filters left out. */
export function exportFilterOf(query: ConversationExportQueryDto): ExportFilter {
  return {
    format: query.format,
    ...(query.status ? { status: query.status } : {}),
    ...(query.origin ? { origin: query.origin } : {}),
    ...(query.since ? { since: new Date(query.since) } : {}),
  };
}

/** For input that did not pass the HTTP ValidationPipe (the CLI): the same rules, the same messages. */
export function parseExportFilter(input: Partial<Record<keyof ConversationExportQueryDto, string>>): ExportFilter {
  return exportFilterOf(validatedInstance(ConversationExportQueryDto, input));
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
