import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, UseGuards } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** Lets through requests carrying `x-api-key: demo`; the rest get 403. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return context.switchToHttp().getRequest<IncomingMessage>().headers['x-api-key'] === 'demo';
  }
}

/** GET /api/v1/admin/stats, behind the guard: its 403s are counted with the route. */
@Controller({ path: 'admin', version: '1' })
@UseGuards(ApiKeyGuard)
export class AdminController {
  @Get('stats')
  stats(): { uptimeSeconds: number } {
    return { uptimeSeconds: Math.round(process.uptime()) };
  }
}
