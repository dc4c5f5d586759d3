import { BadRequestException, Injectable } from '@nestjs/common';
import { contextWordIn } from '../password-policy';
import { BreachedPasswordService } from './breached-password.service';

/**
 * The checks a new password passes beyond its DTO (length and the offline common-password list): the
 * context words, which need the account's email, and the optional breach corpus. Runs on registration
 * and password change only; a login is never refused or delayed by it.
 */
@Injectable()
export class PasswordScreeningService {
  constructor(private readonly breached: BreachedPasswordService) {}

  async assertAcceptable(field: string, password: string, email: string): Promise<void> {
    if (contextWordIn(password, email) !== null) {
      throw new BadRequestException(`${field} must not contain the product name or parts of your email address`);
    }
    if ((await this.breached.check(password)) === 'breached') {
      throw new BadRequestException(`${field} appears in a known data breach; choose another password`);
    }
  }
}
