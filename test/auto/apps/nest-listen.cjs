// Shared by the CommonJS NestJS apps: a module of `controllers` on Express, or on Fastify with
// PLATFORM=fastify, listening on PORT (0: any) at HOST and printing its URL.
const { Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

async function listen(controllers) {
  class AppModule {}
  Reflect.decorate([Module({ controllers })], AppModule);
  const adapter = process.env.PLATFORM === 'fastify' ? new (require('@nestjs/platform-fastify').FastifyAdapter)() : undefined;
  const app = adapter === undefined ? await NestFactory.create(AppModule, { logger: false }) : await NestFactory.create(AppModule, adapter, { logger: false });
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  console.log(`listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}`);
}

module.exports = { listen };
