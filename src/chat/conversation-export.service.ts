import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app.error';
import { ErrorCode } from '../common/error-codes';
import { validatedInstance } from '../common/validation';
import { AppConfig } from '../config/app-config';
import { AuditAction } from './admin-audit.entity';
import { AdminAuditRepository } from './admin-audit.repository';
import { ConversationExportQueryDto, type ExportFormat } from './conversation-export-query.dto';
import { CONVERSATION_FILTER_NAMES, conversationFilterOf, type ConversationFilter } from './conversation-filters.dto';
import { ConversationRepository, EXPORT_COLUMNS, type ExportCursor, type ExportRow } from './conversation.repository';
import { pseudonymiseEmails, pseudonymOf } from './pseudonym';

/** The validated query with its instants read as dates; `pseudonymise` only when asked for. */
export type ExportFilter = ConversationFilter & { format: ExportFormat; pseudonymise?: true };

const PAGE = 500;

function cellText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return '';
}

/**
 * A leading character that makes a spreadsheet read a cell as a formula, or the `'` that marks one: a text that
 * starts with `'` is marked too, so removing one leading `'` from a marked cell always gives the stored value back
 * (`+49@…` and `'+49@…` are two addresses the chat accepts, exported as `'+49@…` and `''+49@…`).
 */
const FORMULA_START = /^[=+\-@\t\r']/;

/**
 * One quoted CSV cell. Text (and JSON of an object) with a formula's leading character gets a `'` so a spreadsheet
 * never runs participant text; numbers, booleans and dates stay as written, or R and pandas would read them as text.
 */
export function csvCell(value: unknown): string {
  const text = cellText(value);
  const isText = typeof value === 'string' || (typeof value === 'object' && value !== null && !(value instanceof Date));
  const safe = isText && FORMULA_START.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** Line breaks that JSON leaves unescaped: U+0085 (next line), U+2028, U+2029. */
const UNESCAPED_LINE_BREAKS = /[\u0085\u2028\u2029]/g;

/**
 * One JSON Lines record. The characters above are valid unescaped in JSON, but Python's `str.splitlines()` and
 * other Unicode-aware line readers end a line there: escaped, a record is always one line, and parses the same.
 */
export function jsonLine(value: unknown): string {
  const json = JSON.stringify(value).replace(
    UNESCAPED_LINE_BREAKS,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}

/** The validated query as the export reads it: instants as dates, absent filters left out. */
export function exportFilterOf(query: ConversationExportQueryDto): ExportFilter {
  return {
    format: query.format,
    ...conversationFilterOf(query),
    ...(query.pseudonymise ? { pseudonymise: true as const } : {}),
  };
}

/**
 * A row with every e-mail address replaced by its pseudonym: the email column, and the transcript, where the
 * participant typed it at step 6 (and wherever else they or a paraphrase wrote one).
 */
export function pseudonymisedRow(row: ExportRow, key: string): ExportRow {
  const email = typeof row.email === 'string' ? row.email : null;
  return {
    ...row,
    email: email === null ? row.email : pseudonymOf(email, key),
    turns: row.turns.map((turn) => ({ ...turn, text: pseudonymiseEmails(turn.text, key, email) })),
  };
}

/** For input that did not pass the HTTP ValidationPipe (the CLI): the same rules, the same messages. */
export function parseExportFilter(input: Partial<Record<keyof ConversationExportQueryDto, string>>): ExportFilter {
  return exportFilterOf(validatedInstance(ConversationExportQueryDto, input));
}

/** Researchers' export: conversations with their condition, outcome and transcript, page by page, audited. */
@Injectable()
export class ConversationExportService {
  private readonly logger = new Logger(ConversationExportService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly audit: AdminAuditRepository,
  ) {}

  /**
   * The export line by line (CSV header first), read from the database in keyset pages; when it ends (read to the
   * end, or stopped by a client that left) one audit row records `actor`, the filter and the rows handed out.
   * Refuses a pseudonymised export without EXPORT_PSEUDONYM_KEY at once, before anything is read or sent.
   */
  lines(filter: ExportFilter, actor: string): AsyncGenerator<string> {
    this.assertExportable(filter);
    return this.pages(filter, filter.pseudonymise ? this.config.participantData.pseudonymKey : null, actor);
  }

  /** Throws what `lines` would throw for `filter`, without reading or auditing anything. */
  assertExportable(filter: ExportFilter): void {
    if (filter.pseudonymise && this.config.participantData.pseudonymKey === null) {
      throw new AppError(
        ErrorCode.AdminPseudonymKeyMissing,
        'A pseudonymised export needs EXPORT_PSEUDONYM_KEY (16+ characters, the same for the whole study).',
      );
    }
  }

  private async *pages(filter: ExportFilter, pseudonymKey: string | null, actor: string): AsyncGenerator<string> {
    let rows = 0;
    let complete = false;
    try {
      // The header waits for the first page: a database that cannot answer (down, behind its migrations) is then
      // an error answer, not a 200 holding a header and nothing else.
      let header = filter.format === 'csv' ? `${[...EXPORT_COLUMNS, 'turns'].join(',')}\n` : null;
      let after: ExportCursor | null = null;
      for (;;) {
        const page = await this.conversations.exportPage(filter, after, PAGE);
        if (header !== null) {
          yield header;
          header = null;
        }
        for (const stored of page) {
          const row = pseudonymKey === null ? stored : pseudonymisedRow(stored, pseudonymKey);
          rows++;
          yield filter.format === 'csv'
            ? `${[...EXPORT_COLUMNS.map((column) => csvCell(row[column])), csvCell(row.turns)].join(',')}\n`
            : jsonLine(row);
        }
        if (page.length < PAGE) {
          complete = true;
          return;
        }
        const last = page[page.length - 1];
        after = { createdAt: last.created_at as Date, id: last.id as string };
      }
    } finally {
      await this.recordExport(actor, filter, rows, complete);
    }
  }

  /** Never throws: the export already went out, and its own error (if any) is the one to report. */
  private async recordExport(actor: string, filter: ExportFilter, rows: number, complete: boolean): Promise<void> {
    try {
      await this.audit.record({
        actor,
        action: AuditAction.Export,
        rows,
        details: {
          format: filter.format,
          filters: Object.fromEntries(CONVERSATION_FILTER_NAMES.map((name) => [name, filter[name] ?? null])),
          pseudonymised: filter.pseudonymise === true,
          complete,
        },
      });
    } catch (error) {
      this.logger.error(`could not record the export by ${actor} (${rows} rows) in the audit: ${String(error)}`);
    }
  }
}
