import { Controller, Get, Inject } from '@nestjs/common';
import { HOME } from '../tokens';
import type { Home } from '../home';

@Controller()
export class HealthController {
  constructor(@Inject(HOME) private readonly home: Home) {}

  @Get('healthz')
  async health(): Promise<{ status: string; head: string | undefined; timestamp: number | undefined; expires?: string }> {
    const [head, timestamp] = await Promise.all([this.home.index.indexedHead(), this.home.index.latest('timestamp')]);
    return { status: head ? 'ok' : 'empty', head, timestamp: timestamp?.version };
  }
}
