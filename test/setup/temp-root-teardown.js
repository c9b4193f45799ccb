const { rmSync } = require('node:fs');

/** jest's global teardown: the run's temporary folder (`temp-root.js`) goes, with whatever the tests left in it. */
module.exports = function removeTestRunTempRoot() {
  const root = process.env.COMBOT_TEST_TMP;
  if (root) rmSync(root, { recursive: true, force: true });
};
