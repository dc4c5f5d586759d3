import { IsString, MaxLength } from 'class-validator';

/** A mailed link's token, sent in the body (never the URL: it would reach access logs and `Referer`). */
export class AccountTokenDto {
  // Only a shape bound here: AccountTokensService refuses (and audits) every malformed or unknown token alike.
  @IsString()
  @MaxLength(128)
  token!: string;
}
