import { Controller, Get, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdminApiKeyGuard } from '../common/admin-api-key.guard';
import { ConversationExportService, parseExportFilter } from './conversation-export.service';

@ApiTags('admin')
@ApiSecurity('admin')
@UseGuards(AdminApiKeyGuard)
@Controller('admin')
export class AdminController {
  constructor(private readonly exporter: ConversationExportService) {}

  @Get('conversations/export')
  @ApiOperation({
    summary: 'Stream every stored conversation (condition, label, scores, email, transcript) as CSV or JSON Lines.',
  })
  @ApiQuery({ name: 'format', enum: ['csv', 'jsonl'] })
  @ApiQuery({ name: 'status', required: false, enum: ['in_progress', 'completed', 'abandoned'] })
  @ApiQuery({ name: 'since', required: false, description: 'ISO 8601; conversations created at or after it' })
  async export(
    @Query('format') format: unknown,
    @Query('status') status: unknown,
    @Query('since') since: unknown,
    @Res() response: Response,
  ): Promise<void> {
    const filter = parseExportFilter(format ?? 'csv', status, since);
    const lines = this.exporter.lines(filter);
    // Read the first line before answering, so a database error is still a JSON error.
    const first = await lines.next();
    response.status(200);
    response.setHeader(
      'Content-Type',
      filter.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    );
    response.setHeader('Content-Disposition', `attachment; filename="conversations.${filter.format}"`);
    async function* all(): AsyncGenerator<string> {
      if (!first.done) yield first.value;
      yield* lines;
    }
    await pipeline(Readable.from(all()), response);
  }
}
