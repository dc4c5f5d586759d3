import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** RFC 8707 §2: the resource the token is for, one of RESOURCE_AUDIENCES; it becomes the token's `aud`. */
export class ResourceTokenDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  resource!: string;
}

export class ResourceTokenResponseDto {
  accessToken!: string;
  /** `DPoP` for a DPoP session: the token is bound to the same key and needs proofs by it. */
  tokenType!: 'Bearer' | 'DPoP';
  expiresIn!: number;
  /** The `aud` the token carries: present it to that resource server only. */
  audience!: string;
}
