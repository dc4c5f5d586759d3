import { loadSlice } from '../config/compose';
import { anomalyConfig } from './anomaly.config';

describe('anomaly settings', () => {
  it('refuses a non-boolean rule switch, naming the variable', () => {
    expect(() => loadSlice(anomalyConfig, { NODE_ENV: 'test', ANOMALY_NEW_DEVICE: 'yes' })).toThrow(
      'ANOMALY_NEW_DEVICE must be true or false',
    );
  });
});
