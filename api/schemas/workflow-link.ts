import { z } from 'zod';
import '../openapi';

/** A record's workflow (api/workflow-links.ts): managers follow the link to watch its clocks in the Temporal UI. */
export const WorkflowLinkSchema = z
  .object({
    id: z.string().openapi({ example: 'change-0192f1e4-7c1a-7b3e-9d2a-3c4b5d6e7f80' }),
    temporalUiUrl: z.string().nullable().openapi({ description: "the workflow in the Temporal UI; null when the API was not told the UI's address (TEMPORAL_UI_URL)" }),
  })
  .openapi('WorkflowLink');
