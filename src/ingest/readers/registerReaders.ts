// Registers the readers that live in their own modules. Importing this module once is enough.
import { registerReader } from '../ingestFile.js';
import { readMapped } from './readMapped.js';
import { readServiceNow } from './readServiceNow.js';

registerReader('mapped', readMapped);
registerReader('servicenow', readServiceNow);
