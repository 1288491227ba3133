// NestJS (12, ES modules only: required through require(esm)), on Express or on Fastify
// (PLATFORM=fastify), CommonJS, no promwire code. Decorators applied by hand (plain JavaScript).
const { Controller, Get, Param } = require('@nestjs/common');
const { listen } = require('./nest-listen.cjs');

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

void listen([UsersController]);
