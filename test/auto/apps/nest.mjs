// NestJS 12 on Express or on Fastify (PLATFORM=fastify), ES module, no promwire code.
// Decorators applied by hand (plain JavaScript).
import { Controller, Get, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

// Declared before `:id`, which would match them otherwise.
class UsersController {
  boom() {
    throw new Error('boom');
  }
  slow() {
    console.log('slow request');
    return new Promise(() => {});
  }
  get(id) {
    return { id };
  }
}
Param('id')(UsersController.prototype, 'get', 0);
for (const [method, path] of [['get', ':id'], ['boom', 'boom'], ['slow', 'slow']]) {
  Reflect.decorate([Get(path)], UsersController.prototype, method, Object.getOwnPropertyDescriptor(UsersController.prototype, method));
}
Reflect.decorate([Controller('users')], UsersController);

class AppModule {}
Reflect.decorate([Module({ controllers: [UsersController] })], AppModule);

const adapter = process.env.PLATFORM === 'fastify' ? new (await import('@nestjs/platform-fastify')).FastifyAdapter() : undefined;
const app = adapter === undefined ? await NestFactory.create(AppModule, { logger: false }) : await NestFactory.create(AppModule, adapter, { logger: false });
await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
console.log(`listening on ${(await app.getUrl()).replace('[::1]', '127.0.0.1')}`);
