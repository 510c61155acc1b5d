// The server's composition root: binds the opened home and its repository to the controllers.
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APT, APT_FRONT, CHANGES, HOME, REPOSITORY } from './tokens';
import { AptController } from './http/apt.controller';
import { AptFront } from '../repository/apt/apt-front';
import { AptServing } from './apt-serving';
import { ApiController } from './http/api.controller';
import { ChangeService } from '../repository/changes';
import { Repository } from '../repository/repository';
import { Home } from './home';
import { TufController } from './http/tuf.controller';
import { HealthController } from './http/health.controller';
import { ErrorFilter } from './http/error.filter';
import { OnlineRoleScheduler } from './online-role-scheduler';
import { GitHttpController } from './http/git-http.controller';
import { UiController } from './ui/ui.controller';
import { Renewals } from '../repository/renewals';
import { ExpiryWatch } from './expiry-watch';

@Module({})
export class AppModule {
  static forHome(home: Home, repository: Repository, apt: { front: AptFront; serving: AptServing }): DynamicModule {
    return {
      module: AppModule,
      controllers: [TufController, HealthController, ApiController, AptController, UiController, GitHttpController],
      providers: [
        { provide: HOME, useValue: home },
        { provide: REPOSITORY, useValue: repository },
        { provide: APT, useValue: apt.serving },
        { provide: APT_FRONT, useValue: apt.front },
        {
          provide: CHANGES,
          inject: [REPOSITORY],
          useFactory: (repository: Repository) => new ChangeService(repository, home.staging, { maxExpirySeconds: home.config.maxExpirySeconds }),
        },
        {
          provide: Renewals,
          inject: [REPOSITORY],
          useFactory: (repository: Repository) => new Renewals(repository, { maxExpirySeconds: home.config.maxExpirySeconds, online: home.config.online }),
        },
        { provide: APP_FILTER, useClass: ErrorFilter },
        ExpiryWatch,
        OnlineRoleScheduler,
      ],
    };
  }
}
