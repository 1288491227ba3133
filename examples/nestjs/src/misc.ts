import { Controller, Get } from '@nestjs/common';
import { ExcludeFromMetrics } from '@promwire/nestjs';

/** Routes outside the global prefix: /slow, /error (always 500) and /health (not recorded). */
@Controller()
export class MiscController {
  @Get('slow')
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 100)));
    return 'done\n';
  }

  @Get('error')
  error(): never {
    throw new Error('this route always fails');
  }

  @Get('health')
  @ExcludeFromMetrics()
  health(): string {
    return 'ok\n';
  }
}
