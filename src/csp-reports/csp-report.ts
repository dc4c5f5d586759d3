/** Where browsers send CSP violation reports (`report-uri`, and `report-to` through Reporting-Endpoints). */
export const CSP_REPORT_PATH = '/api/csp-reports';
export const CSP_REPORT_GROUP = 'csp-endpoint';
/** The media types of the two report formats: CSP Level 2 `report-uri`, and the Reporting API. */
export const CSP_REPORT_MEDIA_TYPES = ['application/csp-report', 'application/reports+json'];

/** What Warden keeps of a report: a few fields, each cut short, whatever a browser (or anyone) sent. */
export interface CspViolation {
  documentUrl: string;
  blockedUrl: string;
  directive: string;
  disposition: string;
  sourceFile: string;
  line: number | null;
}

const MAX_FIELD = 200;
/** The Reporting API batches; more than this in one request is not a browser's doing. */
export const MAX_REPORTS_PER_REQUEST = 10;

/**
 * Reads `{"csp-report": {...}}` (report-uri) or `[{type: "csp-violation", body: {...}}]` (report-to) into
 * violations; null when the body is neither.
 */
export function parseCspReports(body: unknown): CspViolation[] | null {
  if (isRecord(body) && isRecord(body['csp-report'])) {
    const r = body['csp-report'];
    return [
      violation(
        r['document-uri'],
        r['blocked-uri'],
        r['effective-directive'] ?? r['violated-directive'],
        r['disposition'],
        r['source-file'],
        r['line-number'],
      ),
    ];
  }
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_REPORTS_PER_REQUEST) return null;
  const violations: CspViolation[] = [];
  for (const report of body) {
    if (!isRecord(report) || report['type'] !== 'csp-violation' || !isRecord(report['body'])) return null;
    const r = report['body'];
    violations.push(
      violation(
        r['documentURL'],
        r['blockedURL'],
        r['effectiveDirective'],
        r['disposition'],
        r['sourceFile'],
        r['lineNumber'],
      ),
    );
  }
  return violations;
}

function violation(
  documentUrl: unknown,
  blockedUrl: unknown,
  directive: unknown,
  disposition: unknown,
  sourceFile: unknown,
  line: unknown,
): CspViolation {
  return {
    documentUrl: withoutQuery(text(documentUrl)),
    blockedUrl: withoutQuery(text(blockedUrl)),
    directive: text(directive),
    disposition: text(disposition),
    sourceFile: withoutQuery(text(sourceFile)),
    line: typeof line === 'number' && Number.isSafeInteger(line) ? line : null,
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.slice(0, MAX_FIELD) : '';
}

/** Query strings and fragments may carry tokens or personal data: the audit keeps the path only. */
function withoutQuery(url: string): string {
  return url.replace(/[?#].*$/s, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
