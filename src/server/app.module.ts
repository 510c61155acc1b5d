// The server's composition root: binds the opened home and its repository to the controllers.
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CHANGES, HOME, REPOSITORY } from './tokens';
import { ApiController } from './http/api.controller';
import { ChangeService } from '../repository/changes';
import { Repository } from '../repository/repository';
import { Home, openRepository } from './home';
import { TufController } from './http/tuf.controller';
import { HealthController } from './http/health.controller';
import { ErrorFilter } from './http/error.filter';
import { OnlineRoleScheduler } from './online-role-scheduler';

@Module({})
export class AppModule {
  static forHome(home: Home): DynamicModule {
    return {
      module: AppModule,
      controllers: [TufController, HealthController, ApiController],
      providers: [
        { provide: HOME, useValue: home },
        { provide: REPOSITORY, useFactory: () => openRepository(home) },
        {
          provide: CHANGES,
          inject: [REPOSITORY],
          useFactory: (repository: Repository) => new ChangeService(repository, home.staging, { maxExpirySeconds: home.config.maxExpirySeconds }),
        },
        { provide: APP_FILTER, useClass: ErrorFilter },
        OnlineRoleScheduler,
      ],
    };
  }
}
