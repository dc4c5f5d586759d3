import { boolean } from '../config/readers';
import { defineSettings } from '../config/settings';

export const labConfig = defineSettings(
  'lab',
  {
    /** The security-lab routes (404 when off): for learning only, so on by default in development alone. */
    LAB_ENABLED: boolean(({ nodeEnv }) => nodeEnv === 'development', { refuseEmpty: true }),
  },
  (values) => ({ enabled: values.LAB_ENABLED }),
);
