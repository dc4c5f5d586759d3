import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock/clock';
import { isUniqueViolation } from '../common/database/unique-violation';
import { ipPrefix } from '../common/ip-prefix';
import { userAgentFamily } from '../common/user-agent-family';
import { KnownDevice } from './entities/known-device.entity';

/**
 * Known devices kept per user; a new one beyond it forgets the one seen least recently. One account
 * varying its User-Agent cannot grow the table without bound (nor widen the known-device lockout limit).
 */
export const MAX_KNOWN_DEVICES_PER_USER = 20;

/** A device remembered for the first time: what it is, and whether it is the user's very first. */
interface NewDevice {
  userAgentFamily: string;
  ipPrefix: string;
  first: boolean;
}

/**
 * The (browser family, network /24 or /48) pairs each user has logged in from. Login throttling spares
 * them the account-wide lock; the new-device anomaly rule reports a login from anywhere else.
 */
@Injectable()
export class KnownDevicesService {
  constructor(
    @InjectRepository(KnownDevice) private readonly devices: Repository<KnownDevice>,
    private readonly clock: Clock,
  ) {}

  /** A client whose browser family and network this user has logged in from before. */
  isKnown(userId: string, client: ClientInfo): Promise<boolean> {
    return this.devices.existsBy({
      userId,
      userAgentFamily: userAgentFamily(client.userAgent),
      ipPrefix: ipPrefix(client.ip),
    });
  }

  /**
   * A successful login from `client`: a known device is seen again (null); a new one is remembered and
   * returned. Null too when a concurrent login from the same device remembered it first.
   */
  async remember(userId: string, client: ClientInfo): Promise<NewDevice | null> {
    const now = this.clock.now();
    const device = { userId, userAgentFamily: userAgentFamily(client.userAgent), ipPrefix: ipPrefix(client.ip) };
    const known = await this.devices.findOneBy(device);
    if (known) {
      await this.devices.update({ id: known.id }, { lastSeenAt: now });
      return null;
    }
    const first = !(await this.devices.existsBy({ userId }));
    try {
      await this.devices.insert({ id: randomUUID(), ...device, firstSeenAt: now, lastSeenAt: now });
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
    await this.forgetStale(userId);
    return { userAgentFamily: device.userAgentFamily, ipPrefix: device.ipPrefix, first };
  }

  private async forgetStale(userId: string): Promise<void> {
    const stale = await this.devices.find({
      select: { id: true },
      where: { userId },
      order: { lastSeenAt: 'DESC', id: 'ASC' },
      skip: MAX_KNOWN_DEVICES_PER_USER,
    });
    if (stale.length > 0) await this.devices.delete(stale.map((row) => row.id));
  }
}
