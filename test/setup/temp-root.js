const { chmodSync, mkdtempSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * jest's global setup: one folder for every temporary file of this run (`tempDir` in test/support/temp-dir.ts, which
 * reads the same variable), named to the test processes through the environment they inherit, and removed by
 * `temp-root-teardown.js` however the tests ended. Plain JavaScript: jest loads it before any transform applies.
 */
module.exports = function createTestRunTempRoot() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'combot-test-run-'));
  chmodSync(root, 0o711);
  process.env.COMBOT_TEST_TMP = root;
};
