// The read-only web UI: one route per page, each calling its page builder. Pages are plain HTML
// with an inline style sheet; the Content-Security-Policy forbids every script, so even a value
// that escaped escaping could not run. Apt pages live under /ui/apt: /apt/ is the Debian archive.
import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AptFront } from '../../repository/apt/apt-front';
import type { ChangeService } from '../../repository/changes';
import { Renewals } from '../../repository/renewals';
import type { AptServing } from '../apt-serving';
import type { Home } from '../home';
import { APT, APT_FRONT, CHANGES, HOME } from '../tokens';
import { uiContext, UiContext } from './context';
import { pageNumber, queryText, UiPage, withBanner } from './layout';
import { expiryBanner, expiryUnavailable } from './pages/expiry';
import { aptPage, explainPage, indexPage, suitePage } from './pages/apt.page';
import { changePage, changesPage } from './pages/changes.page';
import { commitPage, historyPage } from './pages/history.page';
import { homePage } from './pages/home.page';
import { metadataIndexPage, metadataPage } from './pages/metadata.page';
import { projectPage, projectsPage } from './pages/projects.page';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Every page carries the expiry banner while a role is inside its signing window or expired. */
async function banner(ui: UiContext) {
  try {
    return expiryBanner(await ui.expiry.report());
  } catch (e) {
    return expiryUnavailable((e as Error).message);
  }
}

async function send(res: Response, ui: UiContext, page: UiPage | Promise<UiPage>): Promise<void> {
  const [built, notice] = await Promise.all([page, banner(ui)]);
  const { status, html } = withBanner(built, notice);
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

  constructor(
    @Inject(HOME) home: Home,
    @Inject(CHANGES) changes: ChangeService,
    @Inject(APT_FRONT) apt: AptFront,
    @Inject(APT) serving: AptServing,
    @Inject(Renewals) renewals: Renewals,
  ) {
    this.ui = uiContext(home, changes, apt, serving, renewals);
  }

  @Get()
  home(@Res() res: Response) {
    return send(res, this.ui, homePage(this.ui));
  }

  @Get('metadata')
  metadataIndex(@Res() res: Response) {
    return send(res, this.ui, metadataIndexPage(this.ui));
  }

  @Get('metadata/:role')
  metadata(@Param('role') role: string, @Res() res: Response) {
    return send(res, this.ui, metadataPage(this.ui, role));
  }

  @Get('projects')
  projects(@Query('q') q: unknown, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, this.ui, projectsPage(this.ui, queryText(q), pageNumber(page)));
  }

  @Get('projects/:name')
  project(@Param('name') name: string, @Res() res: Response) {
    return send(res, this.ui, projectPage(this.ui, name));
  }

  @Get('changes')
  changes(@Res() res: Response) {
    return send(res, this.ui, changesPage(this.ui));
  }

  @Get('changes/:id')
  change(@Param('id') id: string, @Res() res: Response) {
    return send(res, this.ui, changePage(this.ui, id));
  }

  @Get('history')
  history(@Query('project') project: unknown, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, this.ui, historyPage(this.ui, queryText(project, 100), pageNumber(page)));
  }

  @Get('history/:commit')
  commit(@Param('commit') commit: string, @Res() res: Response) {
    return send(res, this.ui, commitPage(this.ui, commit));
  }

  @Get('ui/apt')
  apt(@Res() res: Response) {
    return send(res, this.ui, aptPage(this.ui));
  }

  @Get('ui/apt/explain')
  explain(@Query('package') pkg: unknown, @Res() res: Response) {
    return send(res, this.ui, explainPage(this.ui, queryText(pkg, 100)));
  }

  @Get('ui/apt/suites/:suite')
  suite(@Param('suite') suite: string, @Res() res: Response) {
    return send(res, this.ui, suitePage(this.ui, suite));
  }

  @Get('ui/apt/suites/:suite/:component/:arch')
  index(@Param('suite') suite: string, @Param('component') component: string, @Param('arch') arch: string, @Query('page') page: unknown, @Res() res: Response) {
    return send(res, this.ui, indexPage(this.ui, suite, component, arch, pageNumber(page)));
  }
}
