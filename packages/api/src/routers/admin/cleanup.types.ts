import { z } from 'zod';
import { strict } from '../../schemas.js';

export const CleanupInputSchema = z.object({
  older_than_hours: strict(z.number().min(0).max(24 * 365 * 10)).default(24).meta({ description: 'Delete finished jobs not updated for this many hours', example: 24 }),
});
export const CleanupResponseSchema = z.object({ cleaned_files: z.int(), freed_space_mb: z.number() }).meta({ id: 'CleanupResult' });
