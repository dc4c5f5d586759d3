import { IsNotCommonPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../users/password-policy';
import { IsString, Length } from 'class-validator';
import { AccountTokenDto } from './account-token.dto';

/** The new password follows the registration policy. */
export class ConfirmPasswordResetDto extends AccountTokenDto {
  @IsString()
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH)
  @IsNotCommonPassword()
  newPassword!: string;
}
