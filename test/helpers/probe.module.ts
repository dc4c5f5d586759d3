import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Module,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Audited } from '../../src/audit/audited.decorator';
import type { AuthenticatedUser } from '../../src/access/authenticated-user';
import { AcceptExternalIssuers } from '../../src/access/accept-external-issuers.decorator';
import { CurrentUser } from '../../src/access/current-user.decorator';
import { Public } from '../../src/access/public.decorator';
import { Roles } from '../../src/access/roles.decorator';
import { SigningKey } from '../../src/keys/entities/signing-key.entity';
import { RefreshToken } from '../../src/sessions/entities/refresh-token.entity';
import { User } from '../../src/users/entities/user.entity';

/** What a teapot says: an exception of the handler's own, to see it reach the client unchanged. */
export class TeapotException extends HttpException {
  constructor() {
    super({ statusCode: 418, message: 'Short and stout' }, 418);
  }
}

/**
 * Routes a template user might write, mounted only in tests under /api/probe: audited actions, and
 * handlers that return whole entities by mistake.
 */
@Controller('probe')
export class ProbeController {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(RefreshToken) private readonly refreshTokens: Repository<RefreshToken>,
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
  ) {}

  @Post('things')
  @Audited('thing_created', { target: { result: 'id' } })
  create(): { id: string } {
    return { id: randomUUID() };
  }

  @Delete('things/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited('thing_deleted', { target: { param: 'id' } })
  remove(@Param('id') id: string): void {
    // The message echoes the caller's input, as careless messages do; the audit reason must not.
    if (id !== 'present') throw new NotFoundException(`No thing called ${id}`);
  }

  @Post('teapot')
  @Audited('teapot_brewed')
  teapot(): never {
    throw new TeapotException();
  }

  @Post('crash')
  @Audited('thing_crashed')
  crash(): never {
    throw new Error('connection to db://admin:hunter2@db failed');
  }

  @Post('unaudited')
  @HttpCode(HttpStatus.NO_CONTENT)
  unaudited(): void {}

  @Post('admin-only')
  @Roles('admin')
  @Audited('admin_probe')
  adminOnly(): { ok: true } {
    return { ok: true };
  }

  /** Open to EXTERNAL_ISSUERS too: their principals have no Warden account or session. */
  @Get('external')
  @AcceptExternalIssuers()
  @Audited('external_probe')
  external(): { ok: true } {
    return { ok: true };
  }

  /** Anyone may name any user here: the name is recorded as the target, never as the event's user. */
  @Public()
  @Post('claims/:userId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited('claim_made', { target: { param: 'userId' }, targetIsUser: true })
  claim(): void {}

  @Public()
  @Get('public')
  publicRoute(): { ok: true } {
    return { ok: true };
  }

  // The mistakes: entities straight from the repository, nested, in a list, and copied into a plain object.

  @Get('me/entity')
  me(@CurrentUser() principal: AuthenticatedUser): Promise<User> {
    return this.users.findOneByOrFail({ id: principal.userId });
  }

  @Get('me/nested')
  async nested(@CurrentUser() principal: AuthenticatedUser): Promise<{ owner: User; tokens: RefreshToken[] }> {
    const owner = await this.users.findOneByOrFail({ id: principal.userId });
    const tokens = await this.refreshTokens.findBy({ sessionId: principal.sessionId });
    return { owner, tokens };
  }

  @Get('me/copy')
  async copy(@CurrentUser() principal: AuthenticatedUser): Promise<Record<string, unknown>> {
    const user = await this.users.findOneByOrFail({ id: principal.userId });
    return { ...user, note: 'spread into a plain object, so the class and its metadata are gone' };
  }

  @Get('keys')
  signingKeys(): Promise<SigningKey[]> {
    return this.keys.find();
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([User, RefreshToken, SigningKey])],
  controllers: [ProbeController],
})
export class ProbeModule {}
