import { NotFoundException, ParseUUIDPipe } from '@nestjs/common';

/**
 * The pipe for a `:id` route parameter: an id that is not a UUID names nothing, so it is answered like an
 * unknown one (404 "<thing> not found"), never with a 400 that tells the format, nor a database error.
 *
 *     @Get(':id') read(@Param('id', idParam('Note')) id: string)
 */
export function idParam(thing: string): ParseUUIDPipe {
  return new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException(`${thing} not found`) });
}
