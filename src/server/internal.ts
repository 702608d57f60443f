/** For tests only: certificates of any shape, signed by a CA pair, to check what the server refuses. */
export { issueLeaf, type LeafRequest } from './certificates.js';
export { countedDeployer } from './metrics-feed.js';
export { checkAnswer } from './runner.js';
export { ConfigFollower } from './config-follower.js';
export { DEFAULT_DEFLATE_THRESHOLD_BYTES } from './listener.js';
