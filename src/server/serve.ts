// Starting the server on a home: open it (creating a demo repository on a first start), catch
// the index up with git, then listen.
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { VouchConfig } from '../config/config';
import { AppModule } from './app.module';
import { openAptFront, openHome, openRepository } from './home';
import { OnlineRoleScheduler } from './online-role-scheduler';
import { OperationError } from '../repository/errors';
import { Repository } from '../repository/repository';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Indexes what git holds beyond the index. A commit that does not verify (written without the
 * keys) is not indexed: the server starts anyway and serves the last verified state, loudly,
 * because refusing to start would turn a storage-only attack into an outage of everything.
 */
async function catchUp(repository: Repository, config: VouchConfig, log: (line: string) => void): Promise<void> {
  try {
    const head = await repository.sync();
    log(`metadata repository ${config.metadataRepo} at ${head.slice(0, 12)}`);
  } catch (e) {
    if (!(e instanceof OperationError) || e.code !== 'integrity') throw e;
    log(`!!! ${e.message}\n!!! Publishing is refused until an operator restores ${config.metadataRepo} (vouch audit --repo shows what is wrong).`);
  }
}

export async function serve(config: VouchConfig, log: (line: string) => void): Promise<RunningServer> {
  const home = await openHome(config);
  try {
    const repository = openRepository(home);
    await catchUp(repository, config, log);
    const apt = await openAptFront(home, repository);
    const suites = await apt.front.sync();
    log(`apt front verified ${apt.front.view.projects.size} projects${suites.length ? `, re-signed ${suites.join(', ')}` : ''}${apt.front.view.failure ? `; NOT VERIFIED: ${apt.front.view.failure}` : ''}`);
    const app = await NestFactory.create<NestExpressApplication>(AppModule.forHome(home, repository, apt), { logger: ['log', 'warn', 'error'], bodyParser: false });
    app.disable('x-powered-by');
    // Project roles carry every file's hashes: allow what tuf-js allows a targets role (5 MB).
    app.useBodyParser('json', { limit: '6mb' });
    // No enableShutdownHooks(): Nest's own signal handler re-raises the signal after closing the
    // app, killing the process before close() below releases the database. The CLI handles signals.
    await app.listen(config.port, config.host);
    // Clients keep connections open between requests; a server that closes an idle one after
    // Node's default 5 s races a client's next POST on it (ECONNRESET on a large upload's submit).
    const http = app.getHttpServer();
    http.keepAliveTimeout = 65_000;
    http.headersTimeout = 66_000;
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    // A first check right away: a server started after a long stop must not serve stale roles.
    await app.get(OnlineRoleScheduler).tick();
    return {
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      close: async () => {
        await app.close();
        await home.close();
      },
    };
  } catch (e) {
    await home.close();
    throw e;
  }
}
