/**
 * A small Nest application for the e2e suite: a versioned controller with a pipe, a guard and
 * an injected metric; excluded controllers and handlers; an exception filter; middleware that
 * answers before routing.
 */
import {
  type ArgumentsHost, type CanActivate, Catch, Controller, type ExceptionFilter, type ExecutionContext, Get,
  type MiddlewareConsumer, Module, type NestModule, Param, ParseIntPipe, Post, UseFilters, UseGuards, Body,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter } from 'prom-client';
import { ExcludeFromMetrics, InjectMetric, makeCounterProvider } from '../src';

export class TokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-token'] === 'secret';
  }
}

export class DenyGuard implements CanActivate {
  canActivate(): boolean {
    return false;
  }
}

export class TeapotError extends Error {}

@Catch(TeapotError)
export class TeapotFilter implements ExceptionFilter {
  catch(_error: TeapotError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<{ raw?: ServerResponse } & ServerResponse>();
    const raw = res.raw ?? res; // Fastify's reply, or Express's response
    raw.statusCode = 418;
    raw.end('short and stout');
  }
}

@Controller({ path: 'cats', version: '1' })
export class CatsController {
  constructor(@InjectMetric('cats_looked_up_total') private readonly lookups: Counter<'kind'>) {}

  @Get(':id')
  one(@Param('id', ParseIntPipe) id: number): { id: number } {
    this.lookups.inc({ kind: 'one' });
    return { id };
  }

  @Get(':id/secret')
  @UseGuards(TokenGuard)
  secret(@Param('id') id: string): { id: string; secret: true } {
    return { id, secret: true };
  }

  @Post()
  create(@Body() body: unknown): unknown {
    return body;
  }
}

@Controller('misc')
export class MiscController {
  @Get('shown')
  shown(): string {
    return 'shown';
  }

  @Get('hidden')
  @ExcludeFromMetrics()
  hidden(): string {
    return 'hidden';
  }

  @Get('fail')
  fail(): never {
    throw new Error('this route always fails');
  }

  @Get('teapot')
  @UseFilters(TeapotFilter)
  teapot(): never {
    throw new TeapotError('teapot');
  }

  @Get('slow')
  async slow(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 300));
    return 'late';
  }
}

@Controller('health')
@ExcludeFromMetrics()
export class HealthController {
  @Get()
  health(): string {
    return 'ok';
  }
}

/** Excluded at the class, behind a guard that rejects everything: its 403s are not counted. */
@Controller('internal')
@ExcludeFromMetrics()
@UseGuards(DenyGuard)
export class InternalController {
  @Get('state')
  state(): string {
    return 'never';
  }
}

function blockMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (req.headers['x-block'] === undefined) return next();
  res.statusCode = 401;
  res.end('blocked by middleware');
}

@Module({
  controllers: [CatsController, MiscController, HealthController, InternalController],
  providers: [makeCounterProvider({ name: 'cats_looked_up_total', help: 'Cats looked up, by kind.', labelNames: ['kind'] })],
})
export class CatsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(blockMiddleware).forRoutes(MiscController);
  }
}

@Controller('animals')
export class ZooController {
  @Get(':name')
  one(@Param('name') name: string): { name: string } {
    return { name };
  }
}

/** Mounted at /zoo by RouterModule in the suite. */
@Module({ controllers: [ZooController] })
export class ZooModule {}
