/**
 * (7) Whole conversations against the shipped model and the real PostgreSQL: N participants per level, paced
 * (think time, the target) and without think time (stress: throughput), then a check in the database that every conversation the client finished is stored completed with its 15 turns.
 */
import type { BenchContext } from '../context';
import { shippedModelsDir } from '../context';
import { REPO } from '../service-process';
import path from 'node:path';
import { verifyConversations, type RowCheck } from '../database';
import { driveConversations, TURNS_PER_CONVERSATION, type ConversationRunResult } from '../load/conversation-driver';
import { HttpClient } from '../load/http-client';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import type { ConversationLevelPlan } from '../plan';
import { round } from '../stats';

export function describeThink(thinkMs: ConversationLevelPlan['thinkMs']): string {
  return thinkMs ? `think ${thinkMs.min / 1000}–${thinkMs.max / 1000} s` : 'no think time';
}

export interface ConversationLevel extends Omit<ConversationRunResult, 'finished'> {
  thinkMs: ConversationLevelPlan['thinkMs'];
  conversationsFinished: number;
  usage: UsageWindow;
  rows: RowCheck;
}

export interface ConversationsResult {
  modelsDir: string;
  expectedTurns: number;
  levels: ConversationLevel[];
}

export async function runConversations(ctx: BenchContext): Promise<ConversationsResult> {
  const service = await ctx.service('shipped');
  const levels: ConversationLevel[] = [];
  for (const { participants, thinkMs } of ctx.plan.conversations.levels) {
    const client = new HttpClient(service.baseUrl, participants);
    try {
      const meter = new UsageMeter(service.pid);
      const { finished, ...run } = await driveConversations(client, ctx.corpus, {
        participants,
        thinkMs: thinkMs ?? undefined,
        warmupMs: ctx.plan.conversations.warmupMs,
        durationMs: ctx.plan.conversations.durationMs,
      });
      const usage = meter.stop();
      const rows = await verifyConversations(finished, TURNS_PER_CONVERSATION);
      levels.push({ ...run, thinkMs, conversationsFinished: finished.length, usage, rows });
      ctx.log(
        `    ${participants} participants (${describeThink(thinkMs)}): ${round(run.conversationsPerSecond, 1)} conversations/s, turn p50 ` +
          `${round(run.turnLatencyMs.p50, 1)} ms p95 ${round(run.turnLatencyMs.p95, 1)} ms, ${run.errors} errors, ` +
          `rows ${rows.complete}/${rows.checked} complete, CPU ${round(usage.cpuPercent, 0)} % (machine ${round(usage.machineCpuPercent, 0)} %)`,
      );
    } finally {
      client.close();
    }
  }
  return { modelsDir: path.relative(REPO, shippedModelsDir()), expectedTurns: TURNS_PER_CONVERSATION, levels };
}
