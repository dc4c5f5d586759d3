import { BadRequestException, Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { Throttle } from '@nestjs/throttler';
import type { Request } from 'express';
import { clientInfo } from '../common/client-info';
import { Public } from '../access/public.decorator';
import { parseCspReports } from './csp-report';
import { CspReportService } from './csp-report.service';

/** Reports per client per minute: a page with a real violation sends a handful, not hundreds. */
export const CSP_REPORTS_PER_MINUTE = 20;

@Controller('csp-reports')
export class CspReportController {
  constructor(private readonly reports: CspReportService) {}

  /** Browsers send these without credentials, on their own; public, and answered 204 with no body. */
  @Public()
  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  // Its own budget: the global key is one per client across every route, so a route-level limit on that key
  // would make the 21st request of any kind a 429 and block the client everywhere.
  @Throttle({
    default: {
      limit: CSP_REPORTS_PER_MINUTE,
      ttl: 60_000,
      generateKey: (_context, tracker, throttlerName) => `${throttlerName}:csp-reports:${tracker}`,
    },
  })
  receive(@Body() body: unknown, @Req() request: Request): void {
    const violations = parseCspReports(body);
    if (!violations) {
      throw new BadRequestException(
        'expected a CSP violation report: {"csp-report": {...}} as application/csp-report, or a Reporting API array',
      );
    }
    this.reports.record(violations, clientInfo(request));
  }
}
