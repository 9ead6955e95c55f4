import { stopAll } from '@pa-connector/test-support';
import { describeServiceProcess } from '@pa-connector/test-support/process-suite';

afterAll(stopAll);

describeServiceProcess({ service: 'update' });
