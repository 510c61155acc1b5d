// The Debian repository under /apt/: dists (InRelease, Release, Release.gpg, Packages{,.gz}, by-hash)
// and pool/<TUF target path>. What is listed comes from the verified view only.
import { Controller, Get, Inject, NotFoundException, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APT } from '../tokens';
import type { AptServing } from '../apt-serving';
import { sendStream } from './send-stream';

@Controller('apt')
export class AptController {
  constructor(@Inject(APT) private readonly apt: AptServing) {}

  @Get('archive-key.asc')
  archiveKey(@Res() res: Response): void {
    res.type('application/pgp-keys').send(this.apt.archiveKey());
  }

  @Get('dists/*path')
  dists(@Req() req: Request, @Res() res: Response): void {
    const file = this.apt.distsFile(decodeURIComponent(req.path.slice('/apt/dists/'.length)));
    if (!file) throw new NotFoundException('no such file in this repository');
    res.setHeader('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    if ('text' in file) res.type(file.type).send(file.text);
    else res.type(file.type).sendFile(file.path, { dotfiles: 'allow' });
  }

  @Get('pool/*path')
  async pool(@Req() req: Request, @Res() res: Response): Promise<void> {
    const file = await this.apt.poolFile(decodeURIComponent(req.path.slice('/apt/pool/'.length)));
    res.type('application/vnd.debian.binary-package').setHeader('Content-Length', String(file.size));
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    sendStream(res, file.stream);
  }
}
