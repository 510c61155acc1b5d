// Keeps timestamp and snapshot fresh without a restart: checks on an interval and re-signs
// (one commit) when a role is inside its re-sign window; then opens renewal changes for the
// offline roles whose expiry window opened (ExpiryWatch). Other server processes sharing the
// database do the same; the publish lock makes exactly one of them re-sign.
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APT_FRONT, HOME, REPOSITORY } from './tokens';
import { AptFront } from '../repository/apt/apt-front';
import type { Home } from './home';
import { Repository } from '../repository/repository';
import { ExpiryWatch } from './expiry-watch';

@Injectable()
export class OnlineRoleScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('online-roles');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    @Inject(HOME) private readonly home: Home,
    @Inject(REPOSITORY) private readonly repository: Repository,
    @Inject(APT_FRONT) private readonly apt: AptFront,
    @Inject(ExpiryWatch) private readonly expiry: ExpiryWatch,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.home.config.online.checkIntervalMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One check; overlapping ticks are skipped rather than queued. */
  tick(): Promise<void> {
    this.running ??= this.check().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<void> {
    try {
      const result = await this.repository.refreshOnlineRoles();
      if (result) this.logger.log(`re-signed ${result.published.map((r) => `${r.role} v${r.version}`).join(', ')} (commit ${result.commit.slice(0, 12)})`);
      await this.apt.sync();
      await this.home.staging.sweep(this.home.clock.now());
      const suites = await this.apt.refreshValidity();
      if (suites.length) this.logger.log(`re-signed apt Release of ${suites.join(', ')} before Valid-Until`);
      if (this.apt.view.failure) this.logger.error(`apt front not updated: ${this.apt.view.failure}`);
    } catch (e) {
      this.logger.error(`re-signing online roles failed: ${(e as Error).message}`);
    }
    // Apart: offline roles' expiry windows are checked even when re-signing failed.
    try {
      await this.expiry.check();
    } catch (e) {
      this.logger.error(`checking the offline roles' expiry windows failed: ${(e as Error).message}`);
    }
  }
}
