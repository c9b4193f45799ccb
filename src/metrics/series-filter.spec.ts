import { withoutMetrics } from './series-filter';

describe('withoutMetrics', () => {
  const text = [
    '# HELP combot_conversations Stored conversations by status and origin.',
    '# TYPE combot_conversations gauge',
    'combot_conversations{status="completed",origin="greeting"} 3',
    '',
    '# HELP combot_conversations_by_arm Stored conversations by arm, status and origin.',
    '# TYPE combot_conversations_by_arm gauge',
    'combot_conversations_by_arm{brand="Basic",think_level="High",feel_level="Low",status="completed",origin="greeting"} 3',
    'combot_conversations_by_arm 7',
    '',
    '# HELP combot_cache_hits_total Cache hits.',
    '# TYPE combot_cache_hits_total counter',
    'combot_cache_hits_total 12',
    '',
  ].join('\n');

  it('drops every line of the named metrics, their HELP and TYPE included, and keeps the rest as it was', () => {
    expect(withoutMetrics(text, ['combot_conversations_by_arm'])).toBe(
      [
        '# HELP combot_conversations Stored conversations by status and origin.',
        '# TYPE combot_conversations gauge',
        'combot_conversations{status="completed",origin="greeting"} 3',
        '',
        '',
        '# HELP combot_cache_hits_total Cache hits.',
        '# TYPE combot_cache_hits_total counter',
        'combot_cache_hits_total 12',
        '',
      ].join('\n'),
    );
  });

  it('matches whole names only: a metric whose name starts like another one stays', () => {
    expect(withoutMetrics(text, ['combot_conversations'])).toContain(
      'combot_conversations_by_arm{brand="Basic",think_level="High",feel_level="Low",status="completed",origin="greeting"} 3',
    );
    expect(withoutMetrics(text, ['combot_conversations'])).not.toContain('# TYPE combot_conversations gauge');
  });

  it('leaves the text alone when there is nothing to drop', () => {
    expect(withoutMetrics(text, [])).toBe(text);
  });
});

describe('withoutMetrics on a histogram', () => {
  it('drops its buckets, sum and count with it', () => {
    const histogram = [
      '# HELP combot_x_seconds X.',
      '# TYPE combot_x_seconds histogram',
      'combot_x_seconds_bucket{le="0.1"} 1',
      'combot_x_seconds_sum 0.05',
      'combot_x_seconds_count 1',
      'combot_y 2',
    ].join('\n');
    expect(withoutMetrics(histogram, ['combot_x_seconds'])).toBe('combot_y 2');
  });
});
