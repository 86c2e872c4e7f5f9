import assert from 'node:assert/strict';
import { httpGet } from './http.ts';

/** A service's /metrics as text, after checking that it is Prometheus's text format. */
export async function scrapeMetrics(url: URL | string): Promise<string> {
  const answer = await httpGet(url, '/metrics');
  assert.equal(answer.status, 200, answer.body);
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return answer.body;
}

/**
 * The lines of the metrics whose names start with `prefix`, their HELP and TYPE included:
 * what `grep prefix` prints, without the process metrics, which differ at every run.
 */
export function metricLines(text: string, prefix: string): string {
  return text
    .split('\n')
    .filter((line) => line.replace(/^# (HELP|TYPE) /, '').startsWith(prefix))
    .join('\n');
}

/** The value of one series, `name{labels}` written as the text format writes it; undefined if absent. */
export function metricValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
