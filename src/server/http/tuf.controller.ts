// The client-facing TUF layout (DESIGN §2): /tuf/metadata/N.role.json, /tuf/metadata/timestamp.json,
// /tuf/targets/<project>/<version>/<sha256>.<file>.
import { Controller, Get, Inject, NotFoundException, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { APT_FRONT, HOME } from '../tokens';
import { AptFront } from '../../repository/apt/apt-front';
import type { Home } from '../home';
import { MetadataReader } from '../metadata-reader';
import { sendStream } from './send-stream';

@Controller('tuf')
export class TufController {
  private readonly reader: MetadataReader;

  constructor(@Inject(HOME) home: Home, @Inject(APT_FRONT) apt: AptFront) {
    this.reader = new MetadataReader(home, apt.view);
  }

  @Get('metadata/:file')
  async metadata(@Param('file') file: string, @Res() res: Response): Promise<void> {
    sendJson(res, await this.reader.metadataFile(file));
  }

  @Get('targets/*path')
  async target(@Req() req: Request, @Res() res: Response): Promise<void> {
    const file = await this.reader.targetFile(decodeURIComponent(req.path.slice('/tuf/targets/'.length)));
    res.type('application/octet-stream').setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Content-Length', String(file.size));
    sendStream(res, file.stream);
  }
}

function sendJson(res: Response, bytes: Uint8Array | undefined): void {
  if (!bytes) throw new NotFoundException('no such metadata');
  res.type('application/json').setHeader('Cache-Control', 'no-cache');
  res.end(Buffer.from(bytes));
}
