import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { User } from './entities/user.entity';
import { BreachedPasswordService } from './password-screening/breached-password.service';
import { PasswordScreeningService } from './password-screening/password-screening.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [UsersController],
  providers: [UsersService, BreachedPasswordService, PasswordScreeningService],
  exports: [UsersService, PasswordScreeningService],
})
export class UsersModule {}
