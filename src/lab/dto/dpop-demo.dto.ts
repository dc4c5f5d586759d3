import { IsString, MaxLength, MinLength } from 'class-validator';

/** The DPoP demonstration logs in as the caller once more, as a DPoP client: that takes the password. */
export class DpopDemoDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  password!: string;
}
