// The JSON API under /api/v1/: everything the CLI does besides reading TUF metadata.
import { BadRequestException, Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { explain } from '../../core/apt';
import { AptFront } from '../../repository/apt/apt-front';
import type { Request, Response } from 'express';
import { APT_FRONT, HOME, CHANGES } from '../tokens';
import type { Home } from '../home';
import { ChangeService, PendingSummary, SubmitResult } from '../../repository/changes';
import { parseChangeId, parseSignatures, parseSubmitChange } from './dto';
import { OPENAPI } from './openapi';
import { UploadRefused } from '../../adapters/blobs/upload-staging';

@Controller('api/v1')
export class ApiController {
  constructor(
    @Inject(HOME) private readonly home: Home,
    @Inject(CHANGES) private readonly changes: ChangeService,
    @Inject(APT_FRONT) private readonly apt: AptFront,
  ) {}

  @Get('apt/explain')
  explain(@Query('package') pkg: unknown) {
    if (typeof pkg !== 'string' || !/^[a-z0-9][a-z0-9+.-]{0,99}$/.test(pkg)) throw new BadRequestException('give ?package=<a Debian package or project name>');
    const { view } = this.apt;
    const explanations = explain(Object.fromEntries(view.projects), Object.fromEntries(view.rejected), pkg);
    return { package: pkg, verifiedCommit: view.verifiedCommit, failure: view.failure, explanations };
  }

  @Get('openapi.json')
  openapi(): unknown {
    return OPENAPI;
  }

  @Put('blobs/:sha256')
  @HttpCode(201)
  async uploadBlob(@Param('sha256') sha256: string, @Req() req: Request) {
    const limit = this.home.config.maxUploadBytes;
    try {
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > limit) throw new UploadRefused('too-large', `upload of ${declared} bytes exceeds the server's limit of ${limit} bytes`);
      return await this.home.staging.receive(req, sha256, limit, this.home.clock.now());
    } catch (e) {
      // Refused with bytes still coming: let them be read and dropped, so the client gets to read
      // the answer and the connection stays in step for its next request. Closing it instead (even
      // with Connection: close) reset clients still sending (EPIPE before they read the 413); not
      // reading at all stalled the connection behind the unread bytes.
      if (!req.readableEnded) req.resume();
      throw e;
    }
  }

  @Post('changes')
  async submit(@Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<SubmitResult> {
    const { role, metadata, companion } = parseSubmitChange(body);
    const result = await this.changes.submit(role, metadata, companion);
    res.status(result.status === 'published' ? 201 : 202);
    return result;
  }

  @Get('changes')
  async list(): Promise<{ changes: PendingSummary[] }> {
    return { changes: await this.changes.list() };
  }

  @Get('changes/:id')
  get(@Param('id') id: string): Promise<PendingSummary> {
    return this.changes.get(parseChangeId(id));
  }

  @Post('changes/:id/signatures')
  async sign(@Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) res: Response): Promise<SubmitResult> {
    const { signatures, companion } = parseSignatures(body);
    const result = await this.changes.addSignatures(parseChangeId(id), signatures, companion);
    res.status(result.status === 'published' ? 201 : 202);
    return result;
  }
}
