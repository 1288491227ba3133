'use strict';
// Runs the NestJS example (src/, compiled to dist/ by `npm run build`):
//   node examples/nestjs/server.js            on @nestjs/platform-express
//   node examples/nestjs/server.js --fastify  on @nestjs/platform-fastify
// PORT (default 3000; 0 picks a free one) and HOST (default 127.0.0.1) choose where it listens;
// the first line printed is exactly `listening on http://HOST:PORT`. SIGTERM stops it.
require('./dist/main.js')
  .main(process.argv.slice(2))
  .catch((error) => {
    if (error.code === 'EADDRINUSE') {
      const where = `${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 3000}`;
      console.error(`cannot listen on ${where}: the port is in use; choose another port with PORT (PORT=0 picks a free one)`);
    } else {
      console.error(error);
    }
    process.exit(1);
  });
