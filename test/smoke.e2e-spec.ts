import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { configureApp } from '../src/app.setup';

it('boots', async () => {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  const app = configureApp(moduleRef.createNestApplication({ bodyParser: false }));
  await app.init();
  const res = await request(app.getHttpServer()).get('/api/health');
  expect(res.status).toBe(200);
  await app.close();
});
