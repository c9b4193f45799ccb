/** Queue and job names, declared once. */
export const QueueName = {
  /** Classification jobs (`POST /api/ml/classify/async`). */
  Ml: 'ml',
  /** Scheduled upkeep: the seed's Celery beat. */
  Maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const JobName = {
  Classify: 'classify',
  AbandonConversations: 'abandon-conversations',
  PurgeJobs: 'purge-jobs',
  MetricsSnapshot: 'metrics-snapshot',
  DataRetention: 'data-retention',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/**
 * The queues whose jobs `GET /api/jobs/:queue/:id` shows, without a key: those whose ids are handed to a client (an
 * async classification's `jobId`). The maintenance queue's results (how many conversations a sweep abandoned or
 * retention aged out) are the operator's: its queue dashboard and `queue:status` show them.
 */
export const LOOKUP_QUEUE_NAMES: readonly QueueName[] = [QueueName.Ml];
