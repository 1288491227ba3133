// An OpenAI-compatible app on Express (5, or 4 with EXPRESS=express4), CommonJS, no promwire
// code: the GenAI tests' fake handler behind /v1/chat/completions and /v1/embeddings.
const express = require(process.env.EXPRESS || 'express');
const { fakeAnswer, writeStream } = require('../../helpers/fake-openai-server.cjs');

const app = express();
app.use(express.json());
const handler = (req, res) => {
  const answer = fakeAnswer(req.path, req.body);
  if (answer.json !== undefined) res.status(answer.status).json(answer.json);
  else void writeStream(res, answer);
};
app.post('/v1/chat/completions', handler);
app.post('/v1/embeddings', handler);
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
