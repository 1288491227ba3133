'use strict';
// Preloaded (--require) into every README snippet the docs test runs: whatever address and port
// the snippet asks for (3000, 9464, every interface), its servers listen on 127.0.0.1 and a port
// the system picks, and each port is reported to the test over the IPC channel. The snippet's
// own code stays exactly as the README shows it.
const net = require('node:net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (typeof first === 'object' && first !== null && !Array.isArray(first) && first.path === undefined) {
    args[0] = { ...first, port: 0, host: '127.0.0.1' };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    args[0] = 0;
    if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  } else if (first === undefined || typeof first === 'function') {
    args.unshift(0, '127.0.0.1');
  }
  this.once('listening', () => {
    const address = this.address();
    if (typeof address === 'object' && address !== null && process.send) process.send({ port: address.port });
  });
  return listen.apply(this, args);
};
