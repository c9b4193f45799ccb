'use strict';
// transformers.js requires `sharp` when it loads and refuses a missing or falsy module, but only calls it to decode
// images, which this service never does. The real package brings ~19 MB of native libvips.
module.exports = function sharp() {
  throw new Error('sharp is not installed in this image: image input is not supported');
};
