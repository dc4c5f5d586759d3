import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '../common/decorators/public.decorator';
import { KeyStore } from './key-store.service';

@Controller('.well-known')
export class JwksController {
  constructor(private readonly keyStore: KeyStore) {}

  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): { keys: Record<string, string>[] } {
    return { keys: this.keyStore.publishedKeys() };
  }
}
