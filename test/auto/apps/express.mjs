// Express 5, ES module, no promwire code.
import express from 'express';

const app = express();
const users = express.Router();
users.get('/:id', (req, res) => res.json({ id: req.params.id }));
app.use('/users', users);
app.get('/boom', () => {
  throw new Error('boom');
});
app.get('/slow', () => console.log('slow request'));
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
