#!/usr/bin/env node
// GraphQL-over-HTTP conformance audit (graphql-http's auditServer) against a
// running server.
//
//   node .ci/http-audit/audit.mjs [URL]
//
// URL defaults to $GRAPHQL_URL, then http://127.0.0.1:8000/graphql.
// Env AUDIT_TIMEOUT_MS bounds each HTTP request (default 30000).
//
// Prints one line per audit result: `<status> <id> <name>` and, for results
// that are not ok, ` -- <reason> [<HTTP status> <content-type> <body snippet>]`.
// graphql-http grades a failed audit by the requirement word its name starts
// with: MUST -> "error", SHOULD -> "warn", MAY -> "notice".
// The last line is `audit: N ok, N warn, N error`; the exit code is 1 if any
// MUST audit failed (status "error") or the audit could not run, else 0.

import { auditServer } from 'graphql-http';

const url =
  process.argv[2] || process.env.GRAPHQL_URL || 'http://127.0.0.1:8000/graphql';
const timeoutMs = Number(process.env.AUDIT_TIMEOUT_MS) || 30000;

// Same as the global fetch, but no request can hang the audit forever.
const fetchFn = (input, init = {}) =>
  fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });

const oneLine = (s, max = 300) => {
  const flat = String(s).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
};

// A failed result carries the fetch Response it failed on. Its body may
// already have been read by the audit (then it cannot be shown).
async function describeResponse(res) {
  if (!res || typeof res.status !== 'number') return '';
  const ct = res.headers?.get?.('content-type') ?? '(no content-type)';
  let body = '(body already read)';
  if (!res.bodyUsed) {
    try {
      body = JSON.stringify(oneLine(await res.text(), 200));
    } catch (err) {
      body = `(body unreadable: ${err?.message ?? err})`;
    }
  }
  return ` [HTTP ${res.status} ${ct} ${body}]`;
}

console.log(`audit: GraphQL over HTTP audit of ${url}`);

let results;
try {
  results = await auditServer({ url, fetchFn });
} catch (err) {
  // auditServer only throws on fatal problems (e.g. connection refused,
  // timeout); failed assertions come back as results.
  const cause = err?.cause ? ` (cause: ${err.cause.code ?? err.cause.message ?? err.cause})` : '';
  console.log(`audit: fatal: could not run the audit: ${err?.message ?? err}${cause}`);
  process.exit(1);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const r of results) {
  counts[r.status] = (counts[r.status] ?? 0) + 1;
  let line = `${r.status.padEnd(6)} ${r.id} ${r.name}`;
  if (r.status !== 'ok') {
    line += ` -- ${oneLine(r.reason ?? '(no reason given)')}`;
    line += await describeResponse(r.response);
  }
  console.log(line);
}

if (results.length === 0) {
  console.log('audit: fatal: graphql-http returned no audit results');
  process.exit(1);
}
if (counts.notice) {
  console.log(`audit: ${counts.notice} notice (failed MAY audits; informational only)`);
}
console.log(`audit: ${counts.ok} ok, ${counts.warn} warn, ${counts.error} error`);
process.exit(counts.error > 0 ? 1 : 0);
