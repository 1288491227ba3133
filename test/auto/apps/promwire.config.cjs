// A PROMWIRE_CONFIG file: callbacks that do not fit an environment variable.
module.exports = {
  labels: { tenant: (req) => String(req.headers['x-tenant'] ?? 'none') },
  express: { skip: (req) => req.url === '/users/skip-me' },
};
