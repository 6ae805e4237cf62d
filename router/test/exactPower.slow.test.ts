/**
 * The property test of exactPower.test.ts with five times the cases (`npm run test:slow`).
 */
import { describePowerProperties } from './support/powerProperties.js';

describePowerProperties(5000);
