// One status line while the run goes: what is running and the estimated time left. On a
// terminal it is rewritten in place; otherwise a line is printed per update.

const clock = (s) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

export class Progress {
  constructor(stream = process.stdout) {
    this.stream = stream;
    this.tty = stream.isTTY === true;
    this.start = Date.now();
    this.active = false;
  }

  update(text, etaSeconds) {
    const spent = clock((Date.now() - this.start) / 1000);
    const left = etaSeconds === undefined ? '' : ` · ~${clock(etaSeconds)} left`;
    const line = `${text} · ${spent} elapsed${left}`;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns ?? 120) - 1)}`);
      this.active = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  done(text) {
    if (this.tty && this.active) this.stream.write('\r\x1b[2K');
    this.active = false;
    this.stream.write(`${text}\n`);
  }
}
