'use strict';
// Gateway mode: the OpenAI-compatible routes are forwarded to another server (`--upstream URL`),
// and its answer streams back as it arrives, chunk by chunk, never collected. The request body
// forwarded is the bytes the client sent (kept by the JSON parser's `verify`).
const http = require('node:http');
const https = require('node:https');
const { pipeline } = require('node:stream');
const { error } = require('./responses');

/** Request headers passed upstream, and response headers passed back. */
const FORWARDED = ['content-type', 'accept', 'authorization', 'openai-organization', 'openai-project'];
const RETURNED = ['content-type', 'cache-control', 'openai-processing-ms', 'x-request-id'];

/** `upstream` as a base URL without a trailing `/v1` (the routes' paths carry it). */
function upstreamBase(upstream) {
  const url = new URL(upstream);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`upstream must be an http(s) URL, got ${upstream}`);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

const pick = (headers, names) => Object.fromEntries(names.filter((n) => headers[n] !== undefined).map((n) => [n, headers[n]]));

/** An Express handler forwarding the request to `upstream` and streaming the answer back. */
function proxy(upstream) {
  const base = upstreamBase(upstream);
  const client = base.protocol === 'https:' ? https : http;
  const prefix = base.pathname.replace(/\/+$/, '');
  return (req, res) => {
    const target = new URL(prefix + req.originalUrl, base);
    const body = req.rawBody ?? Buffer.alloc(0);
    const headers = { ...pick(req.headers, FORWARDED), 'content-length': String(body.length) };
    const out = client.request(target, { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, pick(answer.headers, RETURNED));
      res.flushHeaders();
      // Each chunk is written as it comes; an upstream cut mid-stream cuts the client's too,
      // and a client that goes away cancels the upstream request.
      pipeline(answer, res, () => undefined);
    });
    out.on('error', (err) => {
      if (!res.headersSent) res.status(502).json(error(`upstream ${base.origin} failed: ${err.message}`, 'upstream_error'));
      else res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) out.destroy();
    });
    out.end(body);
  };
}

module.exports = { proxy, upstreamBase };
