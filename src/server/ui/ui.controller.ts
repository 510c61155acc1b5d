// The read-only web UI: one route per page, each calling its page builder. Pages are plain HTML
// with an inline style sheet; the Content-Security-Policy forbids every script, so even a value
// that escaped escaping could not run. Apt pages live under /ui/apt: /apt/ is the Debian archive.
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AptFront } from '../../repository/apt/apt-front';
import type { ChangeService } from '../../repository/changes';
import type { AptServing } from '../apt-serving';
import type { Home } from '../home';
import { APT, APT_FRONT, CHANGES, HOME } from '../tokens';
import { uiContext, UiContext } from './context';
import { pageNumber, queryText, UiPage } from './layout';
import { aptPage, explainPage, indexPage, suitePage } from './pages/apt.page';
import { changePage, changesPage } from './pages/changes.page';
import { commitPage, historyPage } from './pages/history.page';
import { homePage } from './pages/home.page';
import { metadataIndexPage, metadataPage } from './pages/metadata.page';
import { projectPage, projectsPage } from './pages/projects.page';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

async function send(res: Response, page: UiPage | Promise<UiPage>): Promise<void> {
  const { status, html } = await page;
  res.status(status).type('html');
  res.setHeader('Cache-Control', 'no-cache');
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.send(html);
}

@Controller()
export class UiController {
  private readonly ui: UiContext;

  constructor(@Inject(HOME) home: Home, @Inject(CHANGES) changes: ChangeService, @Inject(APT_FRONT) apt: AptFront, @Inject(APT) serving: AptServing) {
    this.ui = uiContext(home, changes, apt, serving);
  }

  @Get()
  home(@Res() res: Response) {
    return send(res, homePage(this.ui));
  }

  @Get('metadata')
  metadataIndex(@Res() res: Response) {
    return send(res, metadataIndexPage(this.ui));
  }

  @Get('metadata/:role')
  metadata(@Param('role') role: string, @Res() res: Response) {
    return send(res, metadataPage(this.ui, role));
  }

  @Get('projects')
  projects(@Query('q') q: unknown, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, projectsPage(this.ui, queryText(q), pageNumber(page)));
  }

  @Get('projects/:name')
  project(@Param('name') name: string, @Res() res: Response) {
    return send(res, projectPage(this.ui, name));
  }

  @Get('changes')
  changes(@Res() res: Response) {
    return send(res, changesPage(this.ui));
  }

  @Get('changes/:id')
  change(@Param('id') id: string, @Res() res: Response) {
    return send(res, changePage(this.ui, id));
  }

  @Get('history')
  history(@Query('project') project: unknown, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, historyPage(this.ui, queryText(project, 100), pageNumber(page)));
  }

  @Get('history/:commit')
  commit(@Param('commit') commit: string, @Res() res: Response) {
    return send(res, commitPage(this.ui, commit));
  }

  @Get('ui/apt')
  apt(@Res() res: Response) {
    return send(res, aptPage(this.ui));
  }

  @Get('ui/apt/explain')
  explain(@Query('package') pkg: unknown, @Res() res: Response) {
    return send(res, explainPage(this.ui, queryText(pkg, 100)));
  }

  @Get('ui/apt/suites/:suite')
  suite(@Param('suite') suite: string, @Res() res: Response) {
    return send(res, suitePage(this.ui, suite));
  }

  @Get('ui/apt/suites/:suite/:component/:arch')
  index(@Param('suite') suite: string, @Param('component') component: string, @Param('arch') arch: string, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, indexPage(this.ui, suite, component, arch, pageNumber(page)));
  }
}
