/**
 * Whether Fastify's router will refuse a URL as malformed (400 `FST_ERR_BAD_URL`): a path whose
 * percent-encoding does not decode. Only called for URLs that contain a `%` (the query part
 * is not the router's concern).
 */
export function isMalformedUrl(url: string): boolean {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}
