import { describe, expect, it } from 'vitest';
import type { LogLevel } from '../../../main/platform/logger';
import { RateLimitedLogger } from '../../../main/platform/rate-limited-logger';
import { ManualClock } from '../../support/manual-clock';

interface Line {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

function setup(limit: { burst: number; windowMs: number; levels?: readonly LogLevel[] }) {
  const clock = new ManualClock();
  const lines: Line[] = [];
  const logger = new RateLimitedLogger(
    { log: (level, message, fields) => lines.push({ level, message, fields }) },
    clock,
    limit,
  );
  return { clock, lines, logger };
}

describe('RateLimitedLogger', () => {
  it('passes the first lines of a burst and suppresses the rest of the window', () => {
    const { lines, logger } = setup({ burst: 3, windowMs: 10_000 });
    for (let i = 0; i < 1000; i++) logger.log('error', 'callback threw', { i });
    expect(lines.map((l) => l.fields?.['i'])).toEqual([0, 1, 2]);
  });

  it('reports how many similar lines it suppressed when the window ends', () => {
    const { clock, lines, logger } = setup({ burst: 2, windowMs: 10_000 });
    for (let i = 0; i < 50; i++) logger.log('error', 'callback threw');
    clock.advance(10_000);
    expect(lines).toHaveLength(3);
    expect(lines[2]!.level).toBe('error');
    expect(lines[2]!.message).toBe('callback threw (48 similar messages suppressed)');
    expect(lines[2]!.fields).toEqual({ suppressed: 48, windowMs: 10_000 });
  });

  it('lets a new burst through once the window has passed', () => {
    const { clock, lines, logger } = setup({ burst: 1, windowMs: 1_000 });
    logger.log('warn', 'x');
    logger.log('warn', 'x');
    clock.advance(1_000);
    logger.log('warn', 'x');
    expect(lines.map((l) => l.message)).toEqual(['x', 'x (1 similar messages suppressed)', 'x']);
  });

  it('counts each level and message apart', () => {
    const { lines, logger } = setup({ burst: 1, windowMs: 1_000 });
    logger.log('error', 'a');
    logger.log('error', 'a');
    logger.log('error', 'b');
    logger.log('warn', 'a');
    expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual(['error a', 'error b', 'warn a']);
  });

  it('leaves levels outside its list alone', () => {
    const { lines, logger } = setup({ burst: 1, windowMs: 1_000, levels: ['error'] });
    for (let i = 0; i < 5; i++) logger.log('debug', 'trace');
    expect(lines).toHaveLength(5);
  });

  it('sets no timer and writes no summary when nothing was suppressed', () => {
    const { clock, lines, logger } = setup({ burst: 5, windowMs: 1_000 });
    logger.log('error', 'once');
    expect(clock.advance(5_000)).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it('forgets pending summaries on dispose', () => {
    const { clock, lines, logger } = setup({ burst: 1, windowMs: 1_000 });
    logger.log('error', 'a');
    logger.log('error', 'a');
    logger.dispose();
    expect(clock.advance(5_000)).toBe(0);
    expect(lines).toHaveLength(1);
  });

  it('keeps a bounded number of keys however many distinct messages arrive', () => {
    const { lines, logger } = setup({ burst: 1, windowMs: 1_000 });
    for (let i = 0; i < 5_000; i++) logger.log('error', `message ${i}`);
    expect(lines).toHaveLength(5_000);
    expect(logger.trackedKeys).toBeLessThanOrEqual(1_024);
  });
});
