// A small NestJS service instrumented with @promwire/nestjs, on Express or, with --fastify, on
// Fastify: a versioned controller under a global prefix, a guarded route, a slow and a failing
// route, and an injected application metric. PORT (default 3000; 0 picks a free one) and HOST
// (default 127.0.0.1) choose where it listens; the first line printed is where.
import { Module, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { MetricsModule, makeCounterProvider } from '@promwire/nestjs';
import type { AddressInfo } from 'node:net';
import { AdminController, ApiKeyGuard } from './admin';
import { MiscController } from './misc';
import { UsersController, UsersService } from './users';

@Module({
  imports: [MetricsModule.forRoot()],
  controllers: [UsersController, AdminController, MiscController],
  providers: [
    UsersService,
    ApiKeyGuard,
    makeCounterProvider({ name: 'users_lookups_total', help: 'User lookups, by whether the user was found.', labelNames: ['found'] }),
  ],
})
export class AppModule {}

export async function main(argv: readonly string[]): Promise<void> {
  const fastify = argv.includes('--fastify');
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  // Errors only, on stderr: stdout starts with the "listening on" line.
  const app = await NestFactory.create(AppModule, fastify ? new FastifyAdapter() : new ExpressAdapter(), { logger: ['error'] });
  app.setGlobalPrefix('api', { exclude: ['slow', 'error', 'health'] });
  app.enableVersioning({ type: VersioningType.URI });
  await app.listen(port, host);
  const { port: actual } = app.getHttpServer().address() as AddressInfo;
  const base = `http://${host}:${actual}`;
  console.log(`listening on ${base}`);
  console.log(`  platform: ${fastify ? 'fastify' : 'express'}`);
  console.log(`  try:      ${base}/api/v1/users/42   ${base}/api/v1/admin/stats   ${base}/slow   ${base}/error`);
  console.log(`  metrics:  ${base}/metrics`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
