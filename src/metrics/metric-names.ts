/** Every Prometheus series the service exposes, declared once (prefix `combot_`). */
export const METRIC_PREFIX = 'combot_';

export const MetricName = {
  HttpRequestDuration: 'combot_http_request_duration_seconds',
  MlInferenceDuration: 'combot_ml_inference_duration_seconds',
  MlInferences: 'combot_ml_inferences_total',
  MlTextsClassified: 'combot_ml_texts_classified_total',
  MlSemaphoreActive: 'combot_ml_semaphore_active',
  MlSemaphoreWaiting: 'combot_ml_semaphore_waiting',
  MlSemaphoreRejected: 'combot_ml_semaphore_rejected_total',
  MlSemaphoreWaitDuration: 'combot_ml_semaphore_wait_seconds',
  MlModelsLoaded: 'combot_ml_models_loaded',
  MlModelLoads: 'combot_ml_model_loads_total',
  MlCoalesced: 'combot_ml_coalesced_requests_total',
  CacheHits: 'combot_cache_hits_total',
  CacheMisses: 'combot_cache_misses_total',
  CacheErrors: 'combot_cache_errors_total',
  QueueJobs: 'combot_queue_jobs',
  QueueWorkers: 'combot_queue_workers',
  Conversations: 'combot_conversations',
  ConversationsByArm: 'combot_conversations_by_arm',
  ChatTurns: 'combot_chat_turns_total',
  LlmRequests: 'combot_llm_requests_total',
  LlmCircuitState: 'combot_llm_circuit_state',
  ThrottleFallbacks: 'combot_throttle_local_fallbacks_total',
  EventLoopDelay: 'combot_event_loop_delay_seconds',
} as const;

/**
 * Series of research data that a keyless scrape of an open `/api/metrics` does not get: live counts per arm tell an
 * outsider which arm the next participant is drawn (the last free slot of a block). A scrape with `METRICS_API_KEY`
 * or the admin key gets them.
 */
export const RESEARCH_DATA_METRICS: readonly string[] = [MetricName.ConversationsByArm];
