import { BadRequestException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AuditService } from '../audit/audit.service';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { jwtConfig } from '../keys/jwt.config';
import { SessionsService } from '../sessions/sessions.service';
import { AccessTokenService } from '../tokens/access-token.service';
import { FingerprintService } from '../tokens/fingerprint.service';
import type { AuthenticatedUser } from '../access/authenticated-user';
import type { ResourceTokenResponseDto } from './dto/resource-token.dto';

/**
 * ASVS 5.0 9.2.4: a token is accepted only by the service it was issued for. A signed-in client asks for
 * a token for another resource server (RFC 8707 resource indicator); the token carries that server's
 * audience, so neither Warden nor any other resource server accepts it, and Warden's own `warden-api`
 * tokens are refused there. Same subject, session, roles and lifetime as the caller's token.
 */
@Injectable()
export class ResourceTokenService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly accessTokens: AccessTokenService,
    private readonly fingerprints: FingerprintService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(jwtConfig.KEY) private readonly jwt: ConfigType<typeof jwtConfig>,
  ) {}

  async issue(
    principal: AuthenticatedUser,
    resource: string,
    client: ClientInfo,
    fingerprintCookie: string | undefined,
  ): Promise<ResourceTokenResponseDto> {
    if (!this.jwt.resourceAudiences.includes(resource)) {
      throw new BadRequestException('resource must be one of the resource servers this Warden issues tokens for');
    }
    const session = await this.sessions.findById(principal.sessionId);
    if (!session || !this.sessions.isAlive(session, this.clock.now())) throw new UnauthorizedException();
    const fingerprint =
      principal.transport === 'bearer'
        ? this.fingerprints.bind({ transport: 'bearer', ip: client.ip, userAgent: client.userAgent })
        : this.fingerprints.bind({
            transport: 'cookie',
            fingerprintCookie: fingerprintCookie ?? '',
            userAgent: client.userAgent,
          });
    const issued = this.accessTokens.issue({
      userId: principal.userId,
      sessionId: session.id,
      roles: principal.roles,
      fingerprint,
      transport: session.transport,
      authenticatedAt: session.authenticatedAt ?? session.createdAt,
      amr: session.amr ?? ['pwd'],
      // A DPoP session's key binds every token it gets: an exchange must not yield a plain bearer token.
      dpopJkt: session.dpopJkt,
      audience: resource,
    });
    this.audit.record({
      type: 'resource_token_issued',
      success: true,
      userId: principal.userId,
      sessionId: session.id,
      client,
      metadata: { resource },
    });
    return {
      accessToken: issued.token,
      tokenType: session.dpopJkt ? 'DPoP' : 'Bearer',
      expiresIn: issued.expiresIn,
      audience: resource,
    };
  }
}
