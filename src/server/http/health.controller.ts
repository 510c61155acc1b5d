import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HOME } from '../tokens';
import type { Home } from '../home';
import { ExpiryReport } from '../../core/tuf';
import { Renewals } from '../../repository/renewals';

@Controller()
export class HealthController {
  constructor(
    @Inject(HOME) private readonly home: Home,
    @Inject(Renewals) private readonly renewals: Renewals,
  ) {}

  @Get('healthz')
  async health(): Promise<{ status: string; head: string | undefined; timestamp: number | undefined; expires?: string }> {
    const [head, timestamp] = await Promise.all([this.home.index.indexedHead(), this.home.index.latest('timestamp')]);
    return { status: head ? 'ok' : 'empty', head, timestamp: timestamp?.version };
  }

  /** Every role's expiry; 503 unless all is well, so a plain HTTP monitor alerts without parsing. */
  @Get('api/v1/health/expiry')
  @Header('Cache-Control', 'no-store')
  async expiry(@Res({ passthrough: true }) res: Response): Promise<ExpiryReport> {
    const report = await this.renewals.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
