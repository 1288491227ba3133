import { Body, Controller, Get, Injectable, Param, ParseIntPipe, Post } from '@nestjs/common';
import { InjectMetric } from '@promwire/nestjs';
import type { Counter } from 'prom-client';

@Injectable()
export class UsersService {
  constructor(@InjectMetric('users_lookups_total') private readonly lookups: Counter<'found'>) {}

  find(id: number): { id: number; name: string } | undefined {
    const user = id <= 1000 ? { id, name: `user ${id}` } : undefined;
    this.lookups.inc({ found: String(user !== undefined) });
    return user;
  }
}

/**
 * GET /api/v1/users/:id, labelled route="/api/v1/users/:id" (a non-numeric id is a pipe's 400);
 * POST /api/v1/users answers 201 with what it was sent.
 */
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get(':id')
  one(@Param('id', ParseIntPipe) id: number): { id: number; name: string } | { id: number; found: false } {
    return this.users.find(id) ?? { id, found: false };
  }

  @Post()
  create(@Body() body: Record<string, unknown>): Record<string, unknown> {
    return { created: true, ...body };
  }
}
