// A plain node:http server, CommonJS, no promwire code.
const http = require('node:http');

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/users/')) return void res.end('{"id":1}');
  if (req.url === '/boom') {
    res.statusCode = 500;
    return void res.end('boom');
  }
  if (req.url === '/slow') return void console.log('slow request');
  res.statusCode = 404;
  res.end();
});
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
