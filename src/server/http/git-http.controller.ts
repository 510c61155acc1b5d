// GET /metadata.git/...: the metadata repository over git's dumb HTTP protocol (read-only), so
// `git clone http://HOST/metadata.git` gives anyone the whole signed history to audit.
import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { HOME } from '../tokens';
import type { Home } from '../home';
import { DumbGitHttp } from '../git-http';
import { sendStream } from './send-stream';

@Controller('metadata.git')
export class GitHttpController {
  private readonly git: DumbGitHttp;

  constructor(@Inject(HOME) home: Home) {
    this.git = new DumbGitHttp(home.config.metadataRepo, home.store);
  }

  @Get('*path')
  async get(@Req() req: Request, @Res() res: Response): Promise<void> {
    // req.path is the raw path: nothing decoded or normalised before the strict match.
    const answer = req.path.startsWith('/metadata.git/') ? await this.git.resolve(req.path.slice('/metadata.git/'.length)) : undefined;
    if (!answer) throw new NotFoundException('no such file in the metadata repository');
    res.type(answer.type);
    if (answer.kind === 'text') {
      res.setHeader('Cache-Control', 'no-cache').send(answer.body);
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable').setHeader('Content-Length', String(answer.size));
    sendStream(res, answer.handle.createReadStream());
  }
}
