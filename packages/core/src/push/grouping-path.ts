/**
 * The Pushgateway's URL path of a group: `/metrics/job/<job>{/<label>/<value>}`. A value the
 * path cannot carry as is (one with a `/`, or an empty one) takes the gateway's base64 form:
 * `<label>@base64/<base64url of the value>`, an empty value as `=` (the Pushgateway README,
 * "URL"); any other value is percent-encoded.
 */

/** One path segment pair for `name` = `value`. */
function pair(name: string, value: string): string {
  if (value === '') return `/${name}@base64/=`;
  if (value.includes('/')) return `/${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

/**
 * The path of the group (job name, then the grouping labels in the order given), to append to
 * the gateway's base URL.
 *
 * @example
 * groupingPath('backup', { instance: 'db-1', path: '/var/tmp' });
 * // '/metrics/job/backup/instance/db-1/path@base64/L3Zhci90bXA'
 */
export function groupingPath(jobName: string, groupings: Readonly<Record<string, string>>): string {
  let path = `/metrics${pair('job', jobName)}`;
  for (const name of Object.keys(groupings)) path += pair(name, groupings[name]!);
  return path;
}
