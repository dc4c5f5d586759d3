import { Controller, Get } from '@nestjs/common';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { CurrentUser } from '../access/current-user.decorator';
import { ProfileResponseDto } from './dto/user-response.dto';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  async me(@CurrentUser() principal: AuthenticatedUser): Promise<ProfileResponseDto> {
    return ProfileResponseDto.from(await this.users.getById(principal.userId));
  }
}
