// Imported first by every bundle that runs under a CSP (the preload, the panel and launcher
// pages): unless zod 4 is jitless it probes `new Function` as it builds its first object schema,
// and a CSP without 'unsafe-eval' reports that probe as a violation even though zod catches it.
import { z } from 'zod';

z.config({ jitless: true });
