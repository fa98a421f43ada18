import { z } from 'zod';

export const GetHealthInputSchema = z.object({}).optional();

export const HealthResponseSchema = z.object({ status: z.literal('healthy') });
